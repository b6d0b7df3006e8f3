#include "hub/guarded_run.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>
#include <vector>

using namespace hearth::hub;

TEST_CASE("a handler that throws is reported and the handlers after it still run") {
    boost::asio::io_context io;
    std::vector<std::string> ran;
    std::vector<std::string> errors;
    boost::asio::post(io, [&] { ran.push_back("first"); });
    boost::asio::post(io, [] { throw std::logic_error("type must be string"); });
    boost::asio::post(io, [&] { ran.push_back("after the throw"); });
    boost::asio::steady_timer timer(io, std::chrono::milliseconds(1));
    timer.async_wait([&](auto) { ran.push_back("timer"); });

    run_guarded(io, [&](const std::exception& e) { errors.push_back(e.what()); });

    CHECK(ran == std::vector<std::string>{"first", "after the throw", "timer"});
    CHECK(errors == std::vector<std::string>{"type must be string"});
}

TEST_CASE("something thrown that is not an exception is reported too") {
    boost::asio::io_context io;
    int errors = 0;
    bool later = false;
    boost::asio::post(io, [] { throw 42; });
    boost::asio::post(io, [&] { later = true; });
    run_guarded(io, [&](const std::exception&) { ++errors; });
    CHECK(errors == 1);
    CHECK(later);
}

TEST_CASE("a loop that is stopped returns without reporting anything") {
    boost::asio::io_context io;
    int errors = 0;
    boost::asio::post(io, [&] { io.stop(); });
    run_guarded(io, [&](const std::exception&) { ++errors; });
    CHECK(errors == 0);
    CHECK(io.stopped());
}
