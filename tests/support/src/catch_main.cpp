// The shared Catch2 main. Before any test runs it gives the process a random internal-call
// secret (INTERNAL_RPC_SECRET) when none is set, so in-process gRPC servers and clients
// (rpc::Server, rpc::make_channel) agree without the development flag, and a random 32-byte
// PROVIDER_KEYS_SECRET (64 hex characters) for code that reads bot-registry's key cipher.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <cstdlib>

#include "botfactory/common/random.hpp"

int main(int argc, char* argv[]) {
  if (const char* set = std::getenv("INTERNAL_RPC_SECRET"); set == nullptr || *set == '\0') {
    setenv("INTERNAL_RPC_SECRET", ("test-" + botfactory::common::random_token(32)).c_str(), 1);
  }
  if (const char* set = std::getenv("PROVIDER_KEYS_SECRET"); set == nullptr || *set == '\0') {
    setenv("PROVIDER_KEYS_SECRET",
           botfactory::common::sha256_hex(botfactory::common::random_token(32)).c_str(), 1);
  }
  return Catch::Session().run(argc, argv);
}
