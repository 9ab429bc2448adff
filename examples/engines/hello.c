// A tiny "untrusted third-party" engine for the demo config: no libc at all, so its whole syscall
// list is read, write and exit_group (plus the execve that starts it). It reads the request head
// from fd 0 and answers a fixed page on fd 1. x86_64 only.
//
// Build: cc -static -nostdlib -fno-stack-protector -O2 -o hello hello.c (see the Makefile).

#define SYS_read 0
#define SYS_write 1
#define SYS_exit_group 231

static long sys3(long n, long a, long b, long c) {
    long r;
    __asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
    return r;
}

static const char reply[] =
    "HTTP/1.1 200 OK\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "Content-Length: 54\r\n"
    "Connection: close\r\n"
    "\r\n"
    "Hello from a sandboxed engine that has no libc at all\n";

// The request head ends with an empty line; stop there, at EOF, or when the buffer is full.
static int head_complete(const char *buf, long len) {
    for (long i = 3; i < len; i++)
        if (buf[i - 3] == '\r' && buf[i - 2] == '\n' && buf[i - 1] == '\r' && buf[i] == '\n') return 1;
    return 0;
}

void _start(void) {
    static char buf[4096];
    long used = 0;
    while (used < (long)sizeof buf) {
        long n = sys3(SYS_read, 0, (long)(buf + used), (long)sizeof buf - used);
        if (n <= 0) break;
        used += n;
        if (head_complete(buf, used)) break;
    }
    long sent = 0;
    long total = (long)sizeof reply - 1;
    while (sent < total) {
        long n = sys3(SYS_write, 1, (long)(reply + sent), total - sent);
        if (n <= 0) sys3(SYS_exit_group, 1, 0, 0);
        sent += n;
    }
    sys3(SYS_exit_group, 0, 0, 0);
    for (;;) {
    }
}
