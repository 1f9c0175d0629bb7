#pragma once
// look: the `widget` object of a bot in the REST API (docs/api.md "Bots", "Widget sessions"):
// {color, title, position, suggested_questions}. bot-registry checks the values; this file only
// maps JSON types.

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "botfactory/registry/v1/registry.pb.h"

namespace botfactory::gateway {

/// The request's `widget` object. Absent or null members are left empty (bot-registry then
/// applies the defaults: the whole object replaces the stored one). Throws ApiError 400
/// `validation_failed` naming the member when `value` is not an object, a member is not a
/// string, or suggested_questions is not an array of strings (more than 16 items is refused
/// here, before anything is copied; bot-registry allows 4).
registry::v1::WidgetAppearance widget_from_json(const boost::json::value& value);

/// {color, title, position, suggested_questions [..]} as stored.
boost::json::object widget_json(const registry::v1::WidgetAppearance& widget);

/// The `bot` of the widget session and appearance responses: {name, language, greeting, widget}
/// (what a visitor's page may know about the bot; docs/api.md "Widget sessions").
boost::json::object widget_bot_json(const registry::v1::Bot& bot);

}  // namespace botfactory::gateway
