#include "http/peer_closed.hpp"

#include <sys/socket.h>
#include <sys/types.h>

#include <cerrno>

namespace botfactory::gateway {

bool peer_closed(int fd) {
  char byte = 0;
  for (;;) {
    auto n = ::recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n > 0) return false;
    if (n == 0) return true;
    if (errno == EINTR) continue;
    return errno != EAGAIN && errno != EWOULDBLOCK;
  }
}

}  // namespace botfactory::gateway
