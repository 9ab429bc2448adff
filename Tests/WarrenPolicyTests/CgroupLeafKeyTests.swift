import Testing

@testable import WarrenPolicy

@Test func cgroupLeafIsOptionalUnlessRequired() throws {
    let tree = try PolicyTree()
    try tree.makeDirectory("rootfs/etc")
    try tree.write("policies/default.toml", "")
    try tree.write("policies/required.toml", "[limits]\ncgroup_leaf = \"required\"\n")
    try tree.write(
        "policies/optional.toml", "extends = \"required.toml\"\n[limits]\ncgroup_leaf = \"optional\"\n")
    #expect(try tree.load("policies/default.toml").cgroup.leafRequired == false)
    let required = try tree.load("policies/required.toml")
    #expect(required.cgroup.leafRequired)
    #expect(required.cgroup.isEmpty, "a required leaf is not a cgroup limit")
    #expect(try tree.load("policies/optional.toml").cgroup.leafRequired == false)
}

@Test func aBadCgroupLeafValueIsAnErrorAtItsLine() throws {
    let tree = try PolicyTree()
    try tree.makeDirectory("rootfs/etc")
    try tree.write("policies/bad.toml", "[limits]\ncpu_seconds = 1\ncgroup_leaf = \"always\"\n")
    #expect(
        tree.errors("policies/bad.toml") == [
            "T/policies/bad.toml:3: 'limits.cgroup_leaf' must be \"required\" or \"optional\", not 'always'"
        ])
}
