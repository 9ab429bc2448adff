import WarrenSystem

/// The UCSPI-TCP environment of one connection (what tcpserver sets), followed by the policy's own
/// variables. Nothing of warren's environment is passed on.
func ucspiEnvironment(peer: SocketAddress, local: SocketAddress, policy: [String]) -> [String] {
    [
        "PROTO=TCP",
        "TCPREMOTEIP=\(peer.host)",
        "TCPREMOTEPORT=\(peer.port)",
        "TCPLOCALIP=\(local.host)",
        "TCPLOCALPORT=\(local.port)",
    ] + policy
}
