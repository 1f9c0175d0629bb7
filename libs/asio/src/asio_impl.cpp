// The one translation unit holding the Boost.Asio and Boost.Beast implementations
// (BOOST_ASIO_SEPARATE_COMPILATION / BOOST_BEAST_SEPARATE_COMPILATION, set by botfactory::asio).
#include <boost/asio/impl/src.hpp>
#include <boost/beast/src.hpp>
