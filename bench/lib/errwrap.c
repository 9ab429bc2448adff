/* errwrap LOG PROGRAM [ARGS...]: points fd 2 at LOG (appending) and execs PROGRAM.
 * xinetd gives a server the socket on fd 0, 1 and 2 alike; quill-engine logs on fd 2, so without
 * this its access log would be sent to the client. Used only by bench/ for the xinetd peer. */
#include <fcntl.h>
#include <unistd.h>

int main(int argc, char **argv, char **envp) {
    if (argc < 3) return 64;
    int fd = open(argv[1], O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0 || dup2(fd, 2) < 0) return 71;
    /* xinetd leaves one more copy of the socket open above fd 2; close it like tcpserver does. */
    for (int i = 3; i < 64; i++) close(i);
    execve(argv[2], argv + 2, envp);
    return 127;
}
