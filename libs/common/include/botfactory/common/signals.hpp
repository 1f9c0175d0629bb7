#pragma once
// Process signal handling for services (gRPC threads must never receive SIGTERM/SIGINT).

namespace botfactory::common {

/// Blocks SIGTERM, SIGINT and SIGPIPE in the calling thread; threads created afterwards inherit
/// the mask. Call in main() before starting any server or thread.
void block_termination_signals();

/// Waits until SIGTERM or SIGINT arrives; returns the signal number. Requires
/// block_termination_signals() first.
int wait_for_termination_signal();

}  // namespace botfactory::common
