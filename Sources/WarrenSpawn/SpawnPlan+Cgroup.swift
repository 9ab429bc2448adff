extension SpawnPlan {
    /// The plan cannot run an engine without a cgroup leaf: it writes limit files into the leaf
    /// (controllers this host enforces), or its policy says `cgroup_leaf = "required"`.
    public var needsCgroupLeaf: Bool {
        !cgroupFiles.isEmpty || policy?.cgroup.leafRequired == true
    }
}
