// Capability names ("cap_net_bind_service", case-insensitive) to numbers, through libcap.
import CCap

enum CapabilityNames {
    /// The number of `name`, or nil if libcap does not know it. Bare numbers, which libcap would
    /// also accept, are refused: a policy names what it keeps.
    static func number(of name: String) -> Int32? {
        guard !name.isEmpty, !name.allSatisfy(\.isNumber) else { return nil }
        var value: cap_value_t = 0
        guard cap_from_name(name, &value) == 0 else { return nil }
        return Int32(value)
    }
}

extension CapabilityNames {
    /// libcap's name of capability `number` ("cap_net_bind_service"), or the number itself.
    static func name(of number: Int32) -> String {
        guard let text = cap_to_name(cap_value_t(number)) else { return String(number) }
        defer { cap_free(text) }
        return String(cString: text)
    }
}
