#pragma once
// harden: whether the client of a connection the server is not reading from has gone.

namespace botfactory::gateway {

/// True when the peer of connected TCP socket `fd` closed it (its FIN: a non-blocking
/// MSG_PEEK recv(2) returns 0, RFC 9293 section 3.6) or reset it (recv fails with anything but
/// EAGAIN / EWOULDBLOCK / EINTR). False while it is open, also when it has sent bytes the server
/// has not read yet (a pipelined request). Never blocks and consumes nothing. A client that
/// half-closed its side (shutdown(SHUT_WR)) and still reads counts as gone, as in nginx's
/// client-abort check (status 499).
bool peer_closed(int fd);

}  // namespace botfactory::gateway
