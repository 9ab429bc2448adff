// Kernel constants the Swift side needs to build plans; Glibc does not export them to Swift
// (function-like or _GNU_SOURCE-only macros, enums with anonymous types).
#ifndef WARREN_CONSTS_H
#define WARREN_CONSTS_H

#include <linux/sched.h>
#include <stdint.h>
#include <sys/mount.h>
#include <sys/resource.h>

static const unsigned long WARREN_MS_RDONLY = MS_RDONLY;
static const unsigned long WARREN_MS_NOSUID = MS_NOSUID;
static const unsigned long WARREN_MS_NODEV = MS_NODEV;
static const unsigned long WARREN_MS_NOEXEC = MS_NOEXEC;
static const unsigned long WARREN_MS_REMOUNT = MS_REMOUNT;
static const unsigned long WARREN_MS_BIND = MS_BIND;
static const unsigned long WARREN_MS_REC = MS_REC;

// mount_setattr(2) attributes (WARREN_SETATTR_REC ops): a whole bound subtree at once.
static const unsigned long WARREN_MOUNT_ATTR_RDONLY = 0x1;
static const unsigned long WARREN_MOUNT_ATTR_NOSUID = 0x2;
static const unsigned long WARREN_MOUNT_ATTR_NODEV = 0x4;
static const unsigned long WARREN_MOUNT_ATTR_NOEXEC = 0x8;

static const uint64_t WARREN_CLONE_NEWNS = CLONE_NEWNS;
static const uint64_t WARREN_CLONE_NEWCGROUP = CLONE_NEWCGROUP;
static const uint64_t WARREN_CLONE_NEWUTS = CLONE_NEWUTS;
static const uint64_t WARREN_CLONE_NEWIPC = CLONE_NEWIPC;
static const uint64_t WARREN_CLONE_NEWUSER = CLONE_NEWUSER;
static const uint64_t WARREN_CLONE_NEWPID = CLONE_NEWPID;
static const uint64_t WARREN_CLONE_NEWNET = CLONE_NEWNET;

static const int32_t WARREN_RLIMIT_CPU = RLIMIT_CPU;
static const int32_t WARREN_RLIMIT_FSIZE = RLIMIT_FSIZE;
static const int32_t WARREN_RLIMIT_STACK = RLIMIT_STACK;
static const int32_t WARREN_RLIMIT_CORE = RLIMIT_CORE;
static const int32_t WARREN_RLIMIT_NPROC = RLIMIT_NPROC;
static const int32_t WARREN_RLIMIT_NOFILE = RLIMIT_NOFILE;
static const int32_t WARREN_RLIMIT_AS = RLIMIT_AS;

#endif
