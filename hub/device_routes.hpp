#pragma once
// REST routes for areas, devices, commands and health under /api/v1.
#include "hub/router.hpp"

namespace hearth::hub {

class Hub;
void add_device_routes(Router& router, Hub& hub);

}  // namespace hearth::hub
