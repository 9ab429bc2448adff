import WarrenSpawn
import WarrenSystem

/// The spawn threads' watchdog. A child's sandbox set-up takes about a millisecond, but one that
/// hangs in it (a bind source on a hung file system, a frozen cgroup) keeps its spawn thread asleep
/// in the CLONE_VFORK clone, and with it every request queued behind. Once a second while spawns are
/// in flight, the loop looks at the request each thread is in: past its deadline (the connection's
/// `timeout`, which runs from the accept; for a waiter, from its submission) its child is SIGKILLed.
/// Its record says `reason=timeout step=setup`; requests still queued at their deadline are
/// answered without a clone (`reason=timeout step=queued`).
extension Server {
    static let spawnWatchInterval: UInt64 = 1_000_000_000

    /// Arms the watch timer while any spawn is in flight.
    func watchSpawns() {
        guard !spawnWatchArmed, !spawning.isEmpty || !prespawn.starting.isEmpty else { return }
        spawnWatchArmed = true
        schedule(Clock.monotonicNanoseconds() + Self.spawnWatchInterval, .spawnWatch)
    }

    /// Kills the child in set-up of each thread whose current request is past its deadline (`all`:
    /// every one, at the end of the shutdown grace period).
    func killStuckSpawns(all: Bool = false) {
        let now = Clock.monotonicNanoseconds()
        for spawner in spawners {
            guard let token = spawner.current else { continue }
            let key = SpawnKey(thread: ObjectIdentifier(spawner), token: token)
            guard let deadline = spawning[key]?.deadline ?? prespawn.starting[key]?.deadline else { continue }
            guard all || now >= deadline else { continue }
            do throws(Errno) {
                _ = try spawner.killInSetup(token: token)
            } catch {
                var line = LogLine(event: "warning")
                line.add(
                    "msg", "cannot kill a child stuck in its sandbox set-up: \(SymbolicName.errno(error))")
                sink.write(line)
            }
        }
    }
}
