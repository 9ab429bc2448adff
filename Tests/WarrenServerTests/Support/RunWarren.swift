import Glibc
import Testing

/// Runs warren with `arguments` to completion; returns its wait status, stdout and stderr.
func runWarren(_ arguments: [String]) throws -> (status: Int32, out: String, err: String) {
    let directory = try TestPaths.temporaryDirectory()
    let outPath = directory + "/out"
    let errPath = directory + "/err"
    let warren = try TestPaths.warren()
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    var argv: [UnsafeMutablePointer<CChar>?] = ([warren] + arguments).map { strdup($0) } + [nil]
    defer { for pointer in argv { free(pointer) } }
    var pid: pid_t = 0
    try #require(posix_spawn(&pid, warren, &actions, nil, &argv, environ) == 0)
    var status: Int32 = 0
    waitpid(pid, &status, 0)
    defer {
        unlink(outPath)
        unlink(errPath)
        rmdir(directory)
    }
    return (status, TestPaths.read(outPath), TestPaths.read(errPath))
}
