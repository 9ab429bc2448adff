// The superserver: config, event loop, accept, limits, spawn, reap, logs, reload, shutdown.
import WarrenPolicy
import WarrenSpawn
import WarrenSystem
