/// Deadlines in a binary min-heap; the loop arms its one timerfd at `earliest`. Entries are never
/// removed early: a connection that ends before its deadline leaves a stale entry, which the loop
/// recognises (the connection is gone) and drops when it comes due.
struct TimerHeap<Token> {
    private var entries: [(deadline: UInt64, token: Token)] = []

    var earliest: UInt64? { entries.first?.deadline }
    var count: Int { entries.count }

    mutating func push(_ deadline: UInt64, _ token: Token) {
        entries.append((deadline, token))
        var child = entries.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            if entries[parent].deadline <= entries[child].deadline { break }
            entries.swapAt(parent, child)
            child = parent
        }
    }

    /// Drops every entry `isStale` says is dead and rebuilds the heap: O(n), called only when stale
    /// entries outnumber live ones, so that a long default timeout cannot make the heap (and with it
    /// warren's memory, which every fork-like spawn copies) grow with the connection rate.
    mutating func compact(removing isStale: (Token) -> Bool) {
        let live = entries.filter { !isStale($0.token) }
        entries = []
        entries.reserveCapacity(live.count)
        for entry in live { push(entry.deadline, entry.token) }
    }

    /// Removes and returns every entry due at `now`, earliest first.
    mutating func popDue(_ now: UInt64) -> [Token] {
        var due: [Token] = []
        while let first = entries.first, first.deadline <= now {
            due.append(first.token)
            let last = entries.removeLast()
            if entries.isEmpty { break }
            entries[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1
                let right = left + 1
                var smallest = parent
                if left < entries.count && entries[left].deadline < entries[smallest].deadline {
                    smallest = left
                }
                if right < entries.count && entries[right].deadline < entries[smallest].deadline {
                    smallest = right
                }
                if smallest == parent { break }
                entries.swapAt(parent, smallest)
                parent = smallest
            }
        }
        return due
    }
}
