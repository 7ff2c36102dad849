// What this rank is doing right now (compute, a halo exchange with which neighbours, which
// collective, checkpoint I/O) and when it started, for the hang watchdog. Updated with two
// relaxed atomic stores per phase change: nothing measurable on the compute path.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace tessera::activity {

struct State {
  std::atomic<const char*> what{"start-up"};
  std::atomic<int> peer{-1};  ///< a rank waited for, or -1
  std::atomic<std::int64_t> since_ns{0};
  std::atomic<std::int64_t> step{0};
  std::atomic<bool> io{false};  ///< file I/O: legitimately slow, the watchdog allows it longer
};

State& state();

inline std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

/// Marks the start of a phase; `what` must be a string literal (it is kept by pointer).
inline void enter(const char* what, int peer = -1, bool io = false) {
  State& s = state();
  s.what.store(what, std::memory_order_relaxed);
  s.peer.store(peer, std::memory_order_relaxed);
  s.io.store(io, std::memory_order_relaxed);
  s.since_ns.store(now_ns(), std::memory_order_release);
}

/// Enters a phase for a scope and returns to the enclosing phase after it (nested scopes, e.g.
/// an agreement inside a checkpoint write, restore the outer one).
class Scope {
 public:
  explicit Scope(const char* what, int peer = -1, bool io = false)
      : outer_what_(state().what.load(std::memory_order_relaxed)),
        outer_peer_(state().peer.load(std::memory_order_relaxed)),
        outer_io_(state().io.load(std::memory_order_relaxed)) {
    enter(what, peer, io);
  }
  ~Scope() { enter(outer_what_, outer_peer_, outer_io_); }
  Scope(const Scope&) = delete;
  Scope& operator=(const Scope&) = delete;

 private:
  const char* outer_what_;
  int outer_peer_;
  bool outer_io_;
};

}  // namespace tessera::activity
