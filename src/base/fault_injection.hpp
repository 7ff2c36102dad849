// Fault injection, for rehearsing failures: at a chosen step one chosen rank is killed, throws,
// or hangs, at a chosen place (between steps, inside a halo exchange, inside an allreduce, or
// in the middle of writing a checkpoint). Off unless armed (--inject-fault or
// TESSERA_INJECT_FAULT). Spec: ACTION[-SITE]:RANK@STEP with ACTION kill|exit|hang and SITE
// step (default)|halo|allreduce|checkpoint, e.g. kill:1@120, hang-halo:0@30,
// kill-checkpoint:2@200. A site fires the first time it is reached after step STEP completed.
#pragma once

#include <cstdint>
#include <string>

namespace tessera::fault {

enum class Site { step, halo, allreduce, checkpoint };
enum class Action { kill, exit, hang };

struct Spec {
  Action action = Action::kill;
  Site site = Site::step;
  int rank = 0;
  std::int64_t step = 0;
};

/// Parses a spec; throws UsageError naming the mistake.
Spec parse(const std::string& text);
/// Arms `spec` on this process if it is rank `my_rank`'s target.
void arm(const Spec& spec, int my_rank);
/// The step loop reports each completed step.
void step_completed(std::int64_t step);
/// Called at each site; acts when an armed fault matches. Cheap when nothing is armed.
void point(Site site);

}  // namespace tessera::fault
