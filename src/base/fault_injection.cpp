// Fault injection state: one armed fault per process at most.
#include "tessera/base/fault_injection.hpp"

#include "tessera/base/activity.hpp"
#include "tessera/base/error.hpp"

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <thread>

namespace tessera::fault {

namespace {
std::atomic<bool> g_armed{false};
Spec g_spec;
std::atomic<std::int64_t> g_completed{-1};

const char* site_name(Site s) {
  switch (s) {
    case Site::step: return "between steps";
    case Site::halo: return "halo exchange";
    case Site::allreduce: return "allreduce";
    case Site::checkpoint: return "checkpoint write";
  }
  return "?";
}
}  // namespace

Spec parse(const std::string& text) {
  const auto colon = text.find(':');
  const auto at = text.find('@');
  auto bad = [&](const std::string& why) {
    return UsageError("--inject-fault '" + text + "': " + why +
                      "; write ACTION[-SITE]:RANK@STEP, ACTION kill|exit|hang, SITE step|halo|allreduce|checkpoint, "
                      "e.g. kill:1@120 or hang-halo:0@30");
  };
  if (colon == std::string::npos || at == std::string::npos || at < colon) throw bad("missing ':' or '@'");
  const std::string head = text.substr(0, colon);
  const auto dash = head.find('-');
  const std::string action = head.substr(0, dash);
  const std::string site = dash == std::string::npos ? "step" : head.substr(dash + 1);
  Spec spec;
  if (action == "kill") spec.action = Action::kill;
  else if (action == "exit") spec.action = Action::exit;
  else if (action == "hang") spec.action = Action::hang;
  else throw bad("unknown action '" + action + "'");
  if (site == "step") spec.site = Site::step;
  else if (site == "halo") spec.site = Site::halo;
  else if (site == "allreduce") spec.site = Site::allreduce;
  else if (site == "checkpoint") spec.site = Site::checkpoint;
  else throw bad("unknown site '" + site + "'");
  try {
    std::size_t used = 0;
    const std::string rank = text.substr(colon + 1, at - colon - 1);
    spec.rank = std::stoi(rank, &used);
    if (used != rank.size() || spec.rank < 0) throw bad("rank must be a number >= 0");
    const std::string step = text.substr(at + 1);
    spec.step = std::stoll(step, &used);
    if (used != step.size() || spec.step < 0) throw bad("step must be a number >= 0");
  } catch (const std::logic_error&) {
    throw bad("rank and step must be numbers");
  }
  return spec;
}

void arm(const Spec& spec, int my_rank) {
  if (spec.rank != my_rank) return;
  g_spec = spec;
  g_armed.store(true);
}

void step_completed(std::int64_t step) {
  g_completed.store(step, std::memory_order_relaxed);
  point(Site::step);
}

void point(Site site) {
  if (!g_armed.load(std::memory_order_relaxed)) return;
  if (site != g_spec.site || g_completed.load(std::memory_order_relaxed) < g_spec.step) return;
  g_armed.store(false);
  std::fprintf(stderr, "[rank %d] injected fault: %s in %s after step %lld\n", g_spec.rank,
               g_spec.action == Action::kill ? "SIGKILL" : (g_spec.action == Action::exit ? "error" : "hang"),
               site_name(site), static_cast<long long>(g_spec.step));
  std::fflush(stderr);
  switch (g_spec.action) {
    case Action::kill: std::raise(SIGKILL); break;
    case Action::exit:
      throw RuntimeError("injected failure on rank " + std::to_string(g_spec.rank) + " in " + site_name(site) +
                         " after step " + std::to_string(g_spec.step));
    case Action::hang:
      activity::enter("an injected hang");
      for (;;) std::this_thread::sleep_for(std::chrono::seconds(1));
  }
}

}  // namespace tessera::fault
