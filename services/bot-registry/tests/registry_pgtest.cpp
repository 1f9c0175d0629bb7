// Integration tests of bot-registry (written next).
#include <catch2/catch.hpp>
