#pragma once
// REST routes for health, metrics, the OpenAPI document, tokens and notifications.
#include "hub/router.hpp"

namespace hearth::hub {

class Hub;
void add_system_routes(Router& router, Hub& hub);

/// The OpenAPI 3 document of the API (hub/openapi.json, built in).
const char* openapi_document();

}  // namespace hearth::hub
