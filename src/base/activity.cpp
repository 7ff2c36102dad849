// The process-wide activity record.
#include "tessera/base/activity.hpp"

namespace tessera::activity {
State& state() {
  static State s;
  return s;
}
}  // namespace tessera::activity
