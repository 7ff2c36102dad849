// Error agreement: a collective step that every rank enters with its own outcome. If any rank
// failed, every rank leaves with the lowest failing rank's message and exit code, so the job
// ends once, cleanly and with one message, instead of some ranks hanging in the next collective.
#pragma once

#include "tessera/base/error.hpp"
#include "tessera/comm/communicator.hpp"

#include <exception>
#include <functional>
#include <string>

namespace tessera {

/// Collective: if `local` holds an exception on any rank, rethrows on every rank an Error
/// (collective() == true) carrying the lowest failing rank's message and exit code. Otherwise
/// returns normally.
void agree_on_error(const Communicator& comm, const std::exception_ptr& local);

/// Runs `work` on every rank, then agrees on the outcome (see agree_on_error).
void collective_check(const Communicator& comm, const std::function<void()>& work);

}  // namespace tessera
