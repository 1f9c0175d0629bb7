// Who is online in the open room, kept from `presence` events (docs/protocol.md "Rooms"), so a
// client does not answer every event with a `room.presence` read (that made the reads grow with
// the square of the room's size: docs/benchmarks.md "Rooms fan-out"). No DOM here: the rooms panel
// renders `members()`; tests drive it directly (tests/e2e/room_online.test.mjs).

export interface OnlineMember { kind: string; id: string; name: string }

/** A `presence` event's fields this class reads (the gateway's encode_presence_event). */
export interface PresenceEvent { state?: unknown; member?: Partial<OnlineMember> | null }

// Events kept while a `room.presence` read is outstanding, to re-apply on its answer (the read
// may have been taken before or after them: applying them again is idempotent). Past this, the
// answer is read again.
const maxPendingEvents = 500;

function valid(member: Partial<OnlineMember> | null | undefined): member is OnlineMember {
  return !!member && typeof member.kind === "string" && typeof member.id === "string"
    && typeof member.name === "string";
}

/**
 * The online set of one room. `needList()` says when the full list must be read (`room.presence`):
 * after a join or resume, and when an event cannot be applied (malformed, a `leave` of a member not
 * in the set, too many events while a read is outstanding). At most one read is outstanding;
 * `requested()` marks it sent, `list()` takes its answer. A member with sockets on several
 * replicas is removed by its first `leave`; the panel's periodic re-read (a killed replica sends
 * no `leave`) puts it back.
 */
export class RoomOnline {
  private online = new Map<string, OnlineMember>();
  private loaded = false;
  private outstanding = false;
  private stale = true;            // a full read is wanted
  private pending: PresenceEvent[] = [];

  /** Forget everything (room opened, socket reconnected): the next needList() is true. */
  reset(): void {
    this.online.clear();
    this.loaded = false;
    this.outstanding = false;
    this.stale = true;
    this.pending = [];
  }

  /** True when a `room.presence` request should be sent now (none outstanding, list stale). */
  needList(): boolean {
    return this.stale && !this.outstanding;
  }

  /** A `room.presence` request was sent (also for periodic re-reads). */
  requested(): void {
    this.outstanding = true;
    this.stale = false;
    this.pending = [];
  }

  /** The answer of `room.presence` (`online` array); events seen since the request re-applied. */
  list(online: unknown): void {
    this.outstanding = false;
    this.online.clear();
    if (!Array.isArray(online)) {
      this.stale = true;
      return;
    }
    for (const m of online) if (valid(m)) this.online.set(`${m.kind}:${m.id}`, m);
    this.loaded = true;
    const replay = this.pending;
    this.pending = [];
    for (const event of replay) this.apply(event, true);
  }

  /** An error arrived for the room while a read may be outstanding: no answer is awaited now
   *  (events already applied stay; the caller's periodic re-read corrects the list). */
  failed(): void {
    this.outstanding = false;
    this.pending = [];
  }

  /**
   * Applies one `presence` event. Returns true when the set changed (render it). A `join` adds the
   * member (no change when already online: another socket); a `leave` removes it; an event that
   * cannot be applied marks the list stale (see needList()).
   */
  event(event: PresenceEvent): boolean {
    if (this.outstanding) {
      if (this.pending.length >= maxPendingEvents) this.stale = true;
      else this.pending.push(event);
    }
    if (!this.loaded) return false;
    return this.apply(event, this.outstanding);
  }

  /** The online members, in the order they were added. */
  members(): OnlineMember[] {
    return [...this.online.values()];
  }

  private apply(event: PresenceEvent, replaying: boolean): boolean {
    const member = event.member;
    if (!valid(member) || (event.state !== "join" && event.state !== "leave")) {
      if (!replaying) this.stale = true;
      return false;
    }
    const key = `${member.kind}:${member.id}`;
    if (event.state === "join") {
      if (this.online.has(key)) return false;
      this.online.set(key, { kind: member.kind, id: member.id, name: member.name });
      return true;
    }
    if (this.online.delete(key)) return true;
    // A leave of someone we do not list: our list is behind (unless the read under way covers it).
    if (!replaying) this.stale = true;
    return false;
  }
}
