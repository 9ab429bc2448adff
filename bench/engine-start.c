// Measures quill-engine start-up and idle memory, as warren uses it (one process per connection,
// a socket on fd 0 and 1). Built and run by bench/engine-start.sh; loopback-free (socketpairs).
//   engine-start ENGINE SITE RUNS IDLE BASELINE
// 1. RUNS times: a request is queued on a socketpair, the engine is spawned on it; reports the
//    median and p90 of spawn -> first response byte and spawn -> exit (waitpid). The same for
//    BASELINE (a static C program that reads a line and answers), for scale.
// 2. Prespawned (docs/engine-protocol.md): engines are started with WARREN_HANDOFF_FD=3 and left to
//    finish their start-up; then each in turn is handed a connection (the server end of a
//    socketpair with the request already queued) with SCM_RIGHTS; reports median and p90 of
//    handoff -> first response byte: the engine's share of accept-to-first-byte under a pool.
// 3. IDLE engines are spawned on socketpairs, each answers one keep-alive request and is left
//    waiting in poll() for the next (an idle keep-alive connection); reports the sum and mean of
//    Pss, Private_Clean and Private_Dirty from /proc/PID/smaps_rollup and VmPTE from status.
#define _GNU_SOURCE
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static double now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static pid_t spawn_on(int sock, char *const argv[]) {
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, sock, 0);
    posix_spawn_file_actions_adddup2(&fa, sock, 1);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    pid_t pid;
    if (posix_spawn(&pid, argv[0], &fa, NULL, argv, environ) != 0) {
        perror("posix_spawn");
        exit(1);
    }
    posix_spawn_file_actions_destroy(&fa);
    return pid;
}

static void timing(const char *label, char *const argv[], int runs) {
    const char *req = "GET / HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n";
    double *first = calloc(runs, sizeof(double)), *done = calloc(runs, sizeof(double));
    char buf[65536];
    for (int i = 0; i < runs; i++) {
        int sv[2];
        socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv);
        write(sv[0], req, strlen(req));
        double t0 = now_us();
        pid_t pid = spawn_on(sv[1], argv);
        close(sv[1]);
        if (read(sv[0], buf, sizeof buf) <= 0) fprintf(stderr, "%s: no response\n", label);
        first[i] = now_us() - t0;
        while (read(sv[0], buf, sizeof buf) > 0) {}
        waitpid(pid, NULL, 0);
        done[i] = now_us() - t0;
        close(sv[0]);
    }
    qsort(first, runs, sizeof(double), cmp);
    qsort(done, runs, sizeof(double), cmp);
    printf("%-12s spawn->first byte median %.0f us p90 %.0f us; spawn->exit median %.0f us p90 %.0f us (n=%d)\n",
           label, first[runs / 2], first[runs * 9 / 10], done[runs / 2], done[runs * 9 / 10], runs);
    free(first);
    free(done);
}

static pid_t spawn_waiting(int handoff, char *const argv[]) {
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, handoff, 3);
    int n = 0;
    while (environ[n]) n++;
    char **env = calloc(n + 2, sizeof(char *));
    memcpy(env, environ, n * sizeof(char *));
    env[n] = "WARREN_HANDOFF_FD=3";
    pid_t pid;
    if (posix_spawn(&pid, argv[0], &fa, NULL, argv, env) != 0) {
        perror("posix_spawn");
        exit(1);
    }
    free(env);
    posix_spawn_file_actions_destroy(&fa);
    return pid;
}

static void handoff_timing(char *const argv[], int runs) {
    enum { batch = 20 };
    const char *req = "GET / HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n";
    const char env[] = "PROTO=TCP\0TCPREMOTEIP=127.0.0.1\0TCPREMOTEPORT=1\0TCPLOCALIP=127.0.0.1\0TCPLOCALPORT=2";
    double *first = calloc(runs, sizeof(double));
    char buf[65536];
    for (int done = 0; done < runs;) {
        int k = runs - done < batch ? runs - done : batch;
        pid_t pids[batch];
        int pool[batch];
        for (int i = 0; i < k; i++) {
            int sv[2];
            socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv);
            pids[i] = spawn_waiting(sv[1], argv);
            close(sv[1]);
            pool[i] = sv[0];
        }
        usleep(300000);  // every engine is waiting in recvmsg long before this
        for (int i = 0; i < k; i++, done++) {
            int cs[2];
            socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, cs);
            write(cs[0], req, strlen(req));
            union {
                struct cmsghdr h;
                char b[CMSG_SPACE(sizeof(int))];
            } ctl;
            memset(&ctl, 0, sizeof ctl);
            struct iovec iov = {(void *)env, sizeof env};
            struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.b, .msg_controllen = sizeof ctl.b};
            struct cmsghdr *c = CMSG_FIRSTHDR(&m);
            c->cmsg_level = SOL_SOCKET;
            c->cmsg_type = SCM_RIGHTS;
            c->cmsg_len = CMSG_LEN(sizeof(int));
            memcpy(CMSG_DATA(c), &cs[1], sizeof(int));
            double t0 = now_us();
            if (sendmsg(pool[i], &m, 0) < 0) perror("sendmsg");
            close(cs[1]);
            if (read(cs[0], buf, sizeof buf) <= 0) fprintf(stderr, "handoff: no response\n");
            first[done] = now_us() - t0;
            while (read(cs[0], buf, sizeof buf) > 0) {}
            close(cs[0]);
            close(pool[i]);
            waitpid(pids[i], NULL, 0);
        }
    }
    qsort(first, runs, sizeof(double), cmp);
    printf("%-12s handoff->first byte median %.0f us p90 %.0f us (n=%d, engines prespawned)\n", "quill-engine",
           first[runs / 2], first[runs * 9 / 10], runs);
    free(first);
}

static long field(const char *text, const char *name) {
    const char *p = strstr(text, name);
    return p ? atol(p + strlen(name)) : 0;
}

static void idle(char *const argv[], int n) {
    pid_t *pids = calloc(n, sizeof(pid_t));
    int *socks = calloc(n, sizeof(int));
    for (int i = 0; i < n; i++) {
        int sv[2];
        socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv);
        const char *req = "GET / HTTP/1.1\r\nHost: bench\r\n\r\n";
        write(sv[0], req, strlen(req));
        pids[i] = spawn_on(sv[1], argv);
        close(sv[1]);
        socks[i] = sv[0];
    }
    char buf[65536];
    for (int i = 0; i < n; i++)
        if (read(socks[i], buf, sizeof buf) <= 0) fprintf(stderr, "idle engine %d: no response\n", i);
    sleep(2);  // every engine is back in poll() long before this
    long pss = 0, clean = 0, dirty = 0, rss = 0, pte = 0;
    for (int i = 0; i < n; i++) {
        char path[64], text[4096] = {0};
        snprintf(path, sizeof path, "/proc/%d/smaps_rollup", pids[i]);
        int fd = open(path, O_RDONLY);
        if (fd < 0) continue;
        read(fd, text, sizeof text - 1);
        close(fd);
        rss += field(text, "\nRss:");
        pss += field(text, "\nPss:");
        clean += field(text, "\nPrivate_Clean:");
        dirty += field(text, "\nPrivate_Dirty:");
        char status[4096] = {0};
        snprintf(path, sizeof path, "/proc/%d/status", pids[i]);
        fd = open(path, O_RDONLY);
        if (fd < 0) continue;
        read(fd, status, sizeof status - 1);
        close(fd);
        pte += field(status, "\nVmPTE:");
    }
    printf("idle engines after one request: %d; per engine mean Rss %ld KB, Pss %ld KB, Private_Clean %ld KB, "
           "Private_Dirty %ld KB, VmPTE %ld KB; sum Pss %ld KB\n",
           n, rss / n, pss / n, clean / n, dirty / n, pte / n, pss);
    for (int i = 0; i < n; i++) close(socks[i]);  // EOF: each engine exits
    for (int i = 0; i < n; i++) waitpid(pids[i], NULL, 0);
}

int main(int argc, char **argv) {
    if (argc != 6) {
        fprintf(stderr, "usage: engine-start ENGINE SITE RUNS IDLE BASELINE\n");
        return 64;
    }
    char *engine[] = {argv[1], "--site", argv[2], NULL};
    char *baseline[] = {argv[5], NULL};
    int runs = atoi(argv[3]), n = atoi(argv[4]);
    timing("baseline-c", baseline, runs);
    timing("quill-engine", engine, runs);
    handoff_timing(engine, runs);
    idle(engine, n);
    return 0;
}
