#include "ws/ws_framing.hpp"

#include "botfactory/common/text.hpp"

namespace botfactory::gateway {
namespace {

constexpr std::size_t kMaxControlPayload = 125;
constexpr std::uint16_t kNoStatus = 1005;

bool is_control(std::uint8_t opcode) { return (opcode & 0x8) != 0; }

}  // namespace

bool is_valid_close_code(std::uint16_t code) {
  if (code >= 1000 && code <= 1003) return true;
  if (code >= 1007 && code <= 1014) return true;
  return code >= 3000 && code <= 4999;
}

std::uint16_t WsFrameParser::feed(std::string_view data, std::vector<WsEvent>& events) {
  std::uint16_t error = 0;
  if (!pending_.empty()) {
    pending_.append(data);
    std::string_view rest = pending_;
    std::size_t used_total = 0;
    while (!rest.empty()) {
      std::size_t used = parse_one(rest, events, error);
      if (error) return error;
      if (used == 0) break;
      used_total += used;
      rest.remove_prefix(used);
    }
    if (rest.empty()) {
      std::string().swap(pending_);  // release the memory
    } else {
      pending_.erase(0, used_total);
    }
    return 0;
  }
  while (!data.empty()) {
    std::size_t used = parse_one(data, events, error);
    if (error) return error;
    if (used == 0) {
      pending_.assign(data);
      return 0;
    }
    data.remove_prefix(used);
  }
  return 0;
}

std::size_t WsFrameParser::parse_one(std::string_view data, std::vector<WsEvent>& events,
                                     std::uint16_t& error) {
  if (data.size() < 2) return 0;
  auto b0 = static_cast<std::uint8_t>(data[0]);
  auto b1 = static_cast<std::uint8_t>(data[1]);
  bool fin = (b0 & 0x80) != 0;
  std::uint8_t opcode = b0 & 0x0F;
  if ((b0 & 0x70) != 0 || (b1 & 0x80) == 0) {  // reserved bits; client frames must be masked
    error = kCloseProtocolError;
    return 0;
  }
  std::uint64_t length = b1 & 0x7F;
  std::size_t header = 2;
  if (length == 126) {
    if (data.size() < 4) return 0;
    length = (std::uint64_t{static_cast<std::uint8_t>(data[2])} << 8) |
             static_cast<std::uint8_t>(data[3]);
    header = 4;
  } else if (length == 127) {
    if (data.size() < 10) return 0;
    length = 0;
    for (int i = 2; i < 10; ++i) length = (length << 8) | static_cast<std::uint8_t>(data[i]);
    header = 10;
  }
  // Validate before waiting for the payload, so an oversized frame is refused at its header.
  if (is_control(opcode)) {
    if (!fin || length > kMaxControlPayload || (opcode != 0x8 && opcode != 0x9 && opcode != 0xA)) {
      error = kCloseProtocolError;
      return 0;
    }
  } else {
    if (opcode > 0x2 || (opcode == 0x0) != in_message_) {
      error = kCloseProtocolError;
      return 0;
    }
    std::size_t so_far = opcode == 0x0 ? message_.size() : 0;
    if (length > max_message_ || so_far + length > max_message_) {
      error = kCloseTooBig;
      return 0;
    }
  }
  std::size_t total = header + 4 + static_cast<std::size_t>(length);
  if (data.size() < total) return 0;
  const char* mask = data.data() + header;
  std::string_view masked = data.substr(header + 4, static_cast<std::size_t>(length));

  auto unmask_into = [&](std::string& out) {
    std::size_t base = out.size();
    out.resize(base + masked.size());
    for (std::size_t i = 0; i < masked.size(); ++i) out[base + i] = masked[i] ^ mask[i & 3];
  };

  if (is_control(opcode)) {
    WsEvent event;
    if (opcode == 0x8) {
      event.kind = WsEvent::Kind::kClose;
      std::string body;
      unmask_into(body);
      if (body.size() == 1) {
        error = kCloseProtocolError;
        return 0;
      }
      event.close_code = body.size() >= 2 ? static_cast<std::uint16_t>(
                                                (static_cast<std::uint8_t>(body[0]) << 8) |
                                                static_cast<std::uint8_t>(body[1]))
                                          : kNoStatus;
      if (body.size() >= 2 && !is_valid_close_code(event.close_code)) {
        error = kCloseProtocolError;
        return 0;
      }
      if (body.size() > 2) event.payload = body.substr(2);
      if (!common::is_valid_utf8(event.payload)) {
        error = kCloseInvalidPayload;
        return 0;
      }
    } else {
      event.kind = opcode == 0x9 ? WsEvent::Kind::kPing : WsEvent::Kind::kPong;
      unmask_into(event.payload);
    }
    events.push_back(std::move(event));
    return total;
  }

  if (opcode != 0x0) {  // first frame of a message
    in_message_ = true;
    message_text_ = opcode == 0x1;
  }
  if (fin && message_.empty()) {  // the common case: a whole message in one frame
    WsEvent event;
    event.text = message_text_;
    unmask_into(event.payload);
    in_message_ = false;
    if (event.text && !common::is_valid_utf8(event.payload)) {
      error = kCloseInvalidPayload;
      return 0;
    }
    events.push_back(std::move(event));
    return total;
  }
  unmask_into(message_);
  if (fin) {
    WsEvent event;
    event.text = message_text_;
    event.payload.swap(message_);
    std::string().swap(message_);
    in_message_ = false;
    if (event.text && !common::is_valid_utf8(event.payload)) {
      error = kCloseInvalidPayload;
      return 0;
    }
    events.push_back(std::move(event));
  }
  return total;
}

std::size_t encode_ws_header(WsOpcode opcode, std::size_t size, std::array<std::uint8_t, 10>& out) {
  out[0] = static_cast<std::uint8_t>(0x80 | static_cast<std::uint8_t>(opcode));
  if (size < 126) {
    out[1] = static_cast<std::uint8_t>(size);
    return 2;
  }
  if (size <= 0xFFFF) {
    out[1] = 126;
    out[2] = static_cast<std::uint8_t>(size >> 8);
    out[3] = static_cast<std::uint8_t>(size);
    return 4;
  }
  out[1] = 127;
  auto length = static_cast<std::uint64_t>(size);
  for (int i = 9; i >= 2; --i) {
    out[i] = static_cast<std::uint8_t>(length);
    length >>= 8;
  }
  return 10;
}

std::string encode_close_payload(std::uint16_t code, std::string_view reason) {
  std::string payload;
  payload.push_back(static_cast<char>(code >> 8));
  payload.push_back(static_cast<char>(code & 0xFF));
  payload.append(reason.substr(0, 123));
  return payload;
}

}  // namespace botfactory::gateway
