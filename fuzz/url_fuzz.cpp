// Request targets: path and query parsing by Boost.URL, then routing among the API's own paths
// (read from hub/openapi.json). Invariants: decoding never grows the text, a refused target names
// what is wrong, and every accepted request is answered exactly once, by its route or with 404 or 405.
#include <nlohmann/json.hpp>

#include "fuzz/support.hpp"
#include "hub/router.hpp"

namespace {

using namespace hearth;

hub::Router api_router() {
    hub::Router router;
    const auto document = nlohmann::json::parse(fuzz::source_file("hub/openapi.json"));
    for (const auto& [path, operations] : document.at("paths").items()) {
        for (const auto& [method, operation] : operations.items()) {
            std::string upper = method;
            for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
            router.add(upper, path, hub::Scope::read, [](const hub::HttpRequest&, const hub::PathParams& params, hub::Reply reply) {
                for (const auto& [name, value] : params) fuzz::require(!name.empty(), "a path parameter has a name");
                reply(hub::HttpResponse{200});
            });
        }
    }
    return router;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const auto router = api_router();
    const auto [target, method] = fuzz::split_at_nul(fuzz::as_text(data, size));
    const auto decoded = hub::decode_component(target);
    fuzz::require(!decoded || decoded->size() <= target.size(), "decoding never grows the text");
    auto parsed = hub::parse_target(target);
    if (!parsed) {
        fuzz::require(!parsed.error().message.empty() && !parsed.error().field.empty(), "a refusal says what is wrong");
        return 0;
    }
    fuzz::require(parsed->path.size() <= target.size(), "the path is part of the target");
    for (const auto& [key, value] : parsed->query) {
        fuzz::require(!key.empty(), "a query key is never empty");
        fuzz::require(key.size() + value.size() <= target.size(), "a query field is never longer than the target");
    }

    hub::HttpRequest request;
    request.method = method.empty() ? "GET" : std::string(method);
    request.path = std::move(parsed->path);
    request.query = std::move(parsed->query);
    int answers = 0;
    int status = 0;
    router.dispatch(request, [&](hub::HttpResponse response) {
        ++answers;
        status = response.status;
    });
    fuzz::require(answers == 1, "every request is answered once");
    fuzz::require(status == 200 || status == 404 || status == 405, "a request is routed, 404 or 405");
    return 0;
}
