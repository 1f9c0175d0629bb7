// Boost.JSON compiled into the fuzz build (instead of linking libboost_json), so its parser is
// instrumented too: coverage feedback then steers inputs through the JSON grammar.
#include <boost/json/src.hpp>
