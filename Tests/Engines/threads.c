// Test engine: starts three threads that sleep on a pipe, writes "threads\n" once they exist, then
// holds its slot until the client closes (EOF on fd 0). For the scheduling tests: threads inherit
// the policy of the process that started them.
#include <pthread.h>
#include <unistd.h>

static int pipefd[2];

static void *sleeper(void *arg) {
    (void)arg;
    char c;
    while (read(pipefd[0], &c, 1) > 0) {
    }
    return NULL;
}

int main(void) {
    if (pipe(pipefd) != 0) return 1;
    pthread_t threads[3];
    for (int i = 0; i < 3; i++)
        if (pthread_create(&threads[i], NULL, sleeper, NULL) != 0) return 1;
    if (write(1, "threads\n", 8) != 8) return 1;
    char buf[256];
    while (read(0, buf, sizeof buf) > 0) {
    }
    return 0;
}
