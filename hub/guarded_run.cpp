#include "hub/guarded_run.hpp"

#include <stdexcept>

namespace hearth::hub {

void run_guarded(boost::asio::io_context& io, const std::function<void(const std::exception&)>& on_exception) {
    for (;;) {
        try {
            io.run();
            return;
        } catch (const std::exception& e) {
            on_exception(e);
        } catch (...) {
            on_exception(std::runtime_error("a handler threw something that is not a std::exception"));
        }
    }
}

}  // namespace hearth::hub
