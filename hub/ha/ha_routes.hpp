#pragma once
// Home Assistant's REST API beside Hearth's own, a projection through HaApi: GET /api/,
// /api/config, /api/states, /api/states/<entity_id>, /api/services; POST
// /api/services/<domain>/<service> and /api/conversation/process. Behind the same token gate as
// every route (read scope; control for the two POSTs); errors of the routes themselves in Home
// Assistant's shape, {"message": "…"}. Hub thread only.
namespace hearth::hub {
class Router;
}

namespace hearth::hub::ha {

class HaApi;

void add_ha_routes(Router& router, HaApi& api);

}  // namespace hearth::hub::ha
