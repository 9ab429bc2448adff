// The engine bench/spawn.sh spawns: a static binary that does nothing.
int main(void) { return 0; }
