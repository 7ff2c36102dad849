// Agreement on errors: MIN-allreduce of the failing ranks, then a broadcast of that rank's
// message and code.
#include "tessera/comm/agreement.hpp"

#include "tessera/base/activity.hpp"
#include "tessera/comm/collectives.hpp"

#include <climits>

namespace tessera {

void agree_on_error(const Communicator& comm, const std::exception_ptr& local) {
  std::string message;
  int code = static_cast<int>(ExitCode::runtime);
  if (local) {
    try {
      std::rethrow_exception(local);
    } catch (const Error& e) {
      message = e.what();
      code = static_cast<int>(e.code());
    } catch (const std::exception& e) {
      message = e.what();
    } catch (...) {
      message = "unknown error";
    }
  }
  const activity::Scope doing("error agreement (allreduce)");
  const int first_failed = allreduce_min(comm, local ? comm.rank() : INT_MAX);
  if (first_failed == INT_MAX) return;
  message = broadcast(comm, message, first_failed);
  code = broadcast(comm, code, first_failed);
  if (first_failed != 0) message += " [reported by rank " + std::to_string(first_failed) + "]";
  // Rethrow as the same kind of error, so callers can catch UsageError or RuntimeError.
  switch (static_cast<ExitCode>(code)) {
    case ExitCode::usage: throw UsageError(message, true);
    case ExitCode::runtime: throw RuntimeError(message, true);
    default: throw Error(message, static_cast<ExitCode>(code), true);
  }
}

void collective_check(const Communicator& comm, const std::function<void()>& work) {
  std::exception_ptr local;
  try {
    work();
  } catch (...) {
    local = std::current_exception();
  }
  agree_on_error(comm, local);
}

}  // namespace tessera
