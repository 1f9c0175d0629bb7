#pragma once
// Plugs end-to-end encrypted rooms (docs/e2ee.md) into rooms, edits and attachments: room
// posts and edits in an e2ee room must be a current envelope, and its files are ciphertext.

namespace botfactory::channel {

class AttachmentService;
class E2eeRoomKeys;
class MessageEdits;
class RoomService;

/// Sets the e2ee checks on the three services; all must outlive `keys`' use. E2eeError of an
/// edit becomes EditError (same code), of an upload rpc::StatusError (e2ee_status_error).
void hook_e2ee(E2eeRoomKeys& keys, RoomService& rooms, MessageEdits& edits, AttachmentService& attachments);

}  // namespace botfactory::channel
