// A test engine for the sandbox: `confine CHECK [ARG]` tries one thing a hostile engine would try
// and prints one line, "CHECK: confined (detail)" with exit 0 or "CHECK: NOT CONFINED (detail)"
// with exit 1. A seccomp kill (SIGSYS) also counts as confined; the tests accept both.
// Static, libc only, so that a rootfs needs nothing but this binary.
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static int verdict(const char *check, int confined, const char *detail) {
    printf("%s: %s (%s)\n", check, confined ? "confined" : "NOT CONFINED", detail);
    fflush(stdout);
    return confined ? 0 : 1;
}

// Reads a "Name:\tvalue" line of /proc/self/status into out.
static int status_field(const char *name, char *out, size_t size) {
    FILE *f = fopen("/proc/self/status", "r");
    if (!f) return -1;
    char line[256];
    size_t len = strlen(name);
    int found = -1;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, name, len) == 0 && line[len] == ':') {
            char *v = line + len + 1;
            while (*v == ' ' || *v == '\t') v++;
            v[strcspn(v, "\n")] = 0;
            snprintf(out, size, "%s", v);
            found = 0;
        }
    }
    fclose(f);
    return found;
}

static int check_host_files(void) {
    const char *paths[] = {"/etc/shadow", "/etc/hostname", "/root", "/home", "/usr", "/bin/sh",
                           "/var", "/boot", "/sys", "/work"};
    char detail[512] = "root:";
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        struct stat st;
        // /work holds the engine itself when run from the repository; only its path may exist.
        if (strcmp(paths[i], "/work") == 0) continue;
        if (stat(paths[i], &st) == 0) return verdict("host-files", 0, paths[i]);
    }
    DIR *d = opendir("/");
    if (!d) return verdict("host-files", 0, "cannot list /");
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        strncat(detail, " ", sizeof detail - strlen(detail) - 1);
        strncat(detail, e->d_name, sizeof detail - strlen(detail) - 1);
    }
    closedir(d);
    return verdict("host-files", 1, detail);
}

static int check_pids(void) {
    if (getpid() != 1) return verdict("pids", 0, "not PID 1");
    DIR *d = opendir("/proc");
    if (!d) return verdict("pids", 0, "no /proc");
    int others = 0;
    struct dirent *e;
    char detail[300] = "";
    while ((e = readdir(d))) {
        if (e->d_name[0] >= '0' && e->d_name[0] <= '9' && strcmp(e->d_name, "1") != 0) {
            others++;
            snprintf(detail, sizeof detail, "sees pid %s", e->d_name);
        }
    }
    closedir(d);
    return verdict("pids", others == 0, others ? detail : "PID 1, no other pid in /proc");
}

static int check_signal(pid_t warren) {
    int r = kill(warren, SIGTERM);
    char detail[64];
    snprintf(detail, sizeof detail, "kill(%d) = %d, %s", warren, r, r ? strerror(errno) : "ok");
    return verdict("signal", r != 0, detail);
}

static int check_ptrace(pid_t warren) {
    long r = ptrace(PTRACE_ATTACH, warren, 0, 0);
    char detail[64];
    snprintf(detail, sizeof detail, "ptrace(%d) = %ld, %s", warren, r, r ? strerror(errno) : "ok");
    return verdict("ptrace", r != 0, detail);
}

static int check_caps(void) {
    const char *sets[] = {"CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"};
    char detail[256] = "";
    int ok = 1;
    for (size_t i = 0; i < 5; i++) {
        char v[64];
        if (status_field(sets[i], v, sizeof v) != 0) return verdict("caps", 0, "no status");
        if (strspn(v, "0") != strlen(v)) ok = 0;
        size_t n = strlen(detail);
        snprintf(detail + n, sizeof detail - n, "%s%s=%s", n ? " " : "", sets[i], v);
    }
    return verdict("caps", ok, detail);
}

static int check_field(const char *check, const char *field, const char *want) {
    char v[64];
    if (status_field(field, v, sizeof v) != 0) return verdict(check, 0, "no status");
    char detail[128];
    snprintf(detail, sizeof detail, "%s=%s", field, v);
    return verdict(check, strcmp(v, want) == 0, detail);
}

static int failed(const char *check, long r) {
    char detail[96];
    snprintf(detail, sizeof detail, "returned %ld, %s", r, r == -1 ? strerror(errno) : "success");
    return verdict(check, r == -1, detail);
}

static int check_network(void) {
    int s = socket(AF_INET, SOCK_STREAM, 0);
    if (s < 0) return failed("network", s);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(80)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return failed("network", connect(s, (struct sockaddr *)&a, sizeof a));
}

static int check_writes(void) {
    const char *paths[] = {"/x", "/etc/x", "/dev/x", "/proc/x", "/etc/passwd"};
    for (size_t i = 0; i < 5; i++) {
        int fd = open(paths[i], O_WRONLY | O_CREAT, 0644);
        if (fd >= 0) return verdict("writes", 0, paths[i]);
    }
    if (access("/bin", F_OK) == 0 || mkdir("/bin", 0755) == 0) return verdict("writes", 0, "mkdir /bin");
    return verdict("writes", 1, "read-only everywhere but the tmpfs");
}

static int check_tmpfs(long cap) {
    static char block[4096];
    memset(block, 'x', sizeof block);
    long total = 0;
    int err = 0;
    char name[64];
    for (int file = 0; !err && file < 10000; file++) {
        snprintf(name, sizeof name, "/tmp/fill%d", file);
        int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd < 0) {
            err = errno;
            break;
        }
        for (int i = 0; i < 64; i++) {
            ssize_t n = write(fd, block, sizeof block);
            if (n < 0) {
                err = errno;
                break;
            }
            total += n;
        }
        close(fd);
    }
    char detail[128];
    snprintf(detail, sizeof detail, "wrote %ld bytes, then %s", total, strerror(err));
    return verdict("tmpfs", total > 0 && total <= cap && err == ENOSPC, detail);
}

static int check_fork_bomb(void) {
    int forks = 0;
    for (int i = 0; i < 1000; i++) {
        pid_t p = fork();
        if (p == 0) {
            pause();
            _exit(0);
        }
        if (p < 0) break;
        forks++;
    }
    char detail[96];
    snprintf(detail, sizeof detail, "%d forks succeeded, then %s", forks, strerror(errno));
    return verdict("fork-bomb", forks < 1000, detail);
}

static int check_memory_bomb(void) {
    long mb = 0;
    for (; mb < 8192; mb++) {
        char *p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) break;
        memset(p, 1, 1 << 20);
    }
    char detail[96];
    snprintf(detail, sizeof detail, "mapped %ld MiB, then %s", mb, strerror(errno));
    return verdict("memory-bomb", mb < 8192, detail);
}

static int check_fds(void) {
    char detail[128] = "open:";
    int ok = 1;
    for (int fd = 0; fd < 4096; fd++) {
        if (fcntl(fd, F_GETFD) == -1) continue;
        if (fd > 2) ok = 0;
        size_t n = strlen(detail);
        snprintf(detail + n, sizeof detail - n, " %d", fd);
    }
    return verdict("fds", ok, detail);
}

static int check_env(void) {
    // The test compares the whole environment; print it on one line.
    char detail[1024] = "";
    for (char **e = environ; *e; e++) {
        size_t n = strlen(detail);
        snprintf(detail + n, sizeof detail - n, "%s%s", n ? " " : "", *e);
    }
    return verdict("env", 1, detail);
}

static int check_proc_sys(void) {
    const char *paths[] = {"/proc/sys/kernel/hostname", "/proc/sysrq-trigger", "/sys/kernel/uevent_helper",
                           "/proc/sys/vm/drop_caches"};
    for (size_t i = 0; i < 4; i++) {
        int fd = open(paths[i], O_WRONLY);
        if (fd >= 0) return verdict("proc-sys", 0, paths[i]);
    }
    return verdict("proc-sys", 1, "no kernel knob writable");
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: confine CHECK [ARG]\n");
        return 2;
    }
    const char *c = argv[1];
    long arg = argc > 2 ? atol(argv[2]) : 0;
    if (!strcmp(c, "host-files")) return check_host_files();
    if (!strcmp(c, "pids")) return check_pids();
    if (!strcmp(c, "signal")) return check_signal((pid_t)arg);
    if (!strcmp(c, "ptrace")) return check_ptrace((pid_t)arg);
    if (!strcmp(c, "caps")) return check_caps();
    if (!strcmp(c, "no-new-privs")) return check_field(c, "NoNewPrivs", "1");
    if (!strcmp(c, "seccomp")) return check_field(c, "Seccomp", "2");
    if (!strcmp(c, "mount")) return failed(c, mount("none", "/tmp", "tmpfs", 0, NULL));
    if (!strcmp(c, "unshare")) return failed(c, unshare(CLONE_NEWUSER | CLONE_NEWNS));
    if (!strcmp(c, "setns")) {
        int fd = open("/proc/self/ns/mnt", O_RDONLY);
        return failed(c, fd < 0 ? -1 : setns(fd, 0));
    }
    if (!strcmp(c, "chroot")) return failed(c, chroot("/tmp"));
    if (!strcmp(c, "socket")) return failed(c, socket(AF_UNIX, SOCK_STREAM, 0));
    if (!strcmp(c, "network")) return check_network();
    if (!strcmp(c, "writes")) return check_writes();
    if (!strcmp(c, "create") && argc > 2) {
        // Create a file at the given path: confined when the kernel refuses.
        int fd = open(argv[2], O_WRONLY | O_CREAT, 0644);
        char detail[160];
        snprintf(detail, sizeof detail, "%s: %s", argv[2], fd < 0 ? strerror(errno) : "created");
        return verdict("create", fd < 0, detail);
    }
    if (!strcmp(c, "tmpfs")) return check_tmpfs(arg);
    if (!strcmp(c, "fork-bomb")) return check_fork_bomb();
    if (!strcmp(c, "memory-bomb")) return check_memory_bomb();
    if (!strcmp(c, "spin"))
        for (volatile unsigned long i = 0;; i++) {
        }
    if (!strcmp(c, "fds")) return check_fds();
    if (!strcmp(c, "env")) return check_env();
    if (!strcmp(c, "proc-sys")) return check_proc_sys();
    // Seccomp actions, for the filter tests.
    if (!strcmp(c, "errno")) {
        errno = 0;
        long r = syscall(SYS_getpriority, PRIO_PROCESS, 0);
        printf("errno: returned %ld, errno %d\n", r, errno);
        return 0;
    }
    if (!strcmp(c, "write-other-fd")) {
        int fd = dup(1);
        const char msg[] = "write-other-fd: NOT CONFINED\n";
        return write(fd, msg, sizeof msg - 1) > 0 ? 1 : 0;
    }
    if (!strcmp(c, "echo")) {
        char buf[256];
        ssize_t n;
        while ((n = read(0, buf, sizeof buf)) > 0) write(1, buf, (size_t)n);
        return 0;
    }
    if (!strcmp(c, "ns") || !strcmp(c, "ns-hold")) {
        // The namespaces it is in, as "net:[4026532...] ipc:[...] ..." for the tests to compare.
        // "ns-hold" then stays alive until stdin ends: a namespace's inode number is unique only
        // among live namespaces, so engines compared with each other must be alive together.
        const char *kinds[] = {"net", "ipc", "uts", "user", "cgroup", "mnt", "pid"};
        for (int i = 0; i < 7; i++) {
            char path[64], link[64];
            snprintf(path, sizeof path, "/proc/self/ns/%s", kinds[i]);
            ssize_t n = readlink(path, link, sizeof link - 1);
            link[n < 0 ? 0 : n] = 0;
            printf("%s%s", i ? " " : "", n < 0 ? "?" : link);
        }
        printf("\n");
        fflush(stdout);
        if (!strcmp(c, "ns-hold")) {
            char sink[64];
            while (read(0, sink, sizeof sink) > 0) {}
        }
        return 0;
    }
    if (!strcmp(c, "mounts")) {
        // "MOUNTPOINT OPTIONS" per mount, from the engine's own view.
        FILE *f = fopen("/proc/self/mountinfo", "r");
        if (!f) return verdict("mounts", 0, "no mountinfo");
        char line[1024];
        while (fgets(line, sizeof line, f)) {
            char point[512], opts[256];
            if (sscanf(line, "%*s %*s %*s %*s %511s %255s", point, opts) == 2) printf("%s %s\n", point, opts);
        }
        fclose(f);
        return 0;
    }
    if (!strcmp(c, "hostname")) {
        char name[65] = "";
        gethostname(name, sizeof name);
        printf("%s\n", name);
        return 0;
    }
    if (!strcmp(c, "i386")) {
        // getpid through the i386 entry point (int 0x80, eax = 20): a foreign ABI must be killed.
        long r;
        __asm__ volatile("int $0x80" : "=a"(r) : "a"(20L) : "memory");
        printf("i386: NOT CONFINED (getpid returned %ld)\n", r);
        return 1;
    }
    if (!strcmp(c, "x32")) {
        // getpid with the x32 bit set: the same entry point, another ABI, must be killed.
        long r = syscall(0x40000000L | SYS_getpid);
        printf("x32: %s (returned %ld)\n", r == -1 ? "confined" : "NOT CONFINED", r);
        return r == -1 ? 0 : 1;
    }
    if (!strcmp(c, "exit")) return (int)arg;
    if (!strcmp(c, "true")) return 0;
    fprintf(stderr, "confine: unknown check %s\n", c);
    return 2;
}
