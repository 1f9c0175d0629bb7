// Member verification in an encrypted room (docs/e2ee.md "Verifying members"): a "Verify members"
// button opening a panel that lists every other user member with the 60-digit safety number of
// the pair (safety-number.ts, shown as 12 groups of 5 digits), a badge (verified / not verified /
// keys changed since you verified) and "Mark as verified" / "Unverify" (kept in this browser,
// verified-store.ts). It is also the room keyring's guard: room keys are not wrapped for the
// devices a verified member gained after it was verified (verification.ts sharePolicy), and a
// warning names those members until they are verified again.

import { verifyStrings, type VerifyStrings } from "../e2ee-i18n.js";
import { el } from "../dom.js";
import { apiCall } from "./api.js";
import type { MemberDevice, RoomKeyring } from "./room-keys.js";
import { combineHalves, digitGroups, userHalf } from "./safety-number.js";
import { markVerified, unmarkVerified, verifiedBy } from "./verified-store.js";
import { memberKeys, sharePolicy, trustOf, type VerifiedRecord } from "./verification.js";

interface Member { kind: string; id: string; name: string }

/** The verification controls of one open encrypted room (removed with dispose()). */
export class VerifyPanel {
  private readonly box = el("div", "e2ee-verify");
  private readonly button = el("button", "e2ee-verify-button");
  private readonly warning = el("p", "e2ee-verify-warning");
  private readonly panel = el("section", "e2ee-verify-panel");
  private readonly list = el("ul", "e2ee-verify-list");
  private readonly ui: VerifyStrings;
  private devices: MemberDevice[] = [];
  private records: Promise<Map<string, VerifiedRecord>> | null = null;
  private members: Promise<Member[]> | null = null;
  private readonly halves = new Map<string, Promise<string>>();
  private renders = 0;

  /**
   * Adds the controls after `anchor` and installs the guard on `keys` (a room of user `me`,
   * read through `origin` with `token()`; texts in `lang`).
   */
  constructor(private readonly origin: string, private readonly token: () => string, private readonly roomId: string,
              private readonly me: string, lang: string, private readonly keys: RoomKeyring, anchor: HTMLElement) {
    this.ui = verifyStrings(lang);
    this.button.type = "button";
    this.button.textContent = this.ui.verifyMembers;
    this.button.setAttribute("aria-expanded", "false");
    this.button.addEventListener("click", () => this.toggle(this.panel.hidden));
    this.warning.setAttribute("role", "alert");
    this.panel.hidden = true;
    this.panel.setAttribute("aria-label", this.ui.title);
    const close = el("button", "e2ee-verify-close", this.ui.close);
    close.type = "button";
    close.addEventListener("click", () => this.toggle(false));
    this.panel.append(el("h4", "e2ee-verify-title", this.ui.title), el("p", "e2ee-verify-help", this.ui.help), this.list, close);
    this.box.append(this.button, this.warning, this.panel);
    anchor.after(this.box);
    keys.guard = (devices) => this.guard(devices);
  }

  /** Removes the controls (the room was closed). */
  dispose(): void {
    this.box.remove();
  }

  private toggle(open: boolean): void {
    this.panel.hidden = !open;
    this.button.setAttribute("aria-expanded", String(open));
    if (open) {
      this.members = null;  // re-read: someone may have joined
      void this.render();
    }
  }

  private verified(): Promise<Map<string, VerifiedRecord>> {
    if (!this.records) {
      this.records = verifiedBy(this.me);
      this.records.catch(() => { this.records = null; });
    }
    return this.records;
  }

  private roster(): Promise<Member[]> {
    if (!this.members) {
      this.members = apiCall(this.origin, this.token, "GET", `/api/v1/rooms/${this.roomId}/members`)
        .then((body) => (body.members as Member[]).filter((m) => m.kind === "user"));
      this.members.catch(() => { this.members = null; });
    }
    return this.members;
  }

  /**
   * The keyring's guard: remembers the device list, withholds keys from devices added since a
   * member was verified, shows the warning. Rejects (no wrap at all) when the records cannot be read.
   */
  private async guard(devices: MemberDevice[]): Promise<MemberDevice[]> {
    this.devices = devices;
    const policy = sharePolicy(devices, this.me, await this.verified());
    await this.warn(policy.changed);
    if (!this.panel.hidden) void this.render();
    return policy.allowed;
  }

  private async warn(changed: string[]): Promise<void> {
    let text = "";
    if (changed.length > 0) {
      const names = new Map((await this.roster().catch(() => [] as Member[])).map((m) => [m.id, m.name]));
      text = changed.map((id) => this.ui.keysChanged.replace("{name}", names.get(id) || id)).join("\n");
    }
    // Only a new text is set: the alert is not announced again on every key sync.
    if (this.warning.textContent !== text) this.warning.textContent = text;
  }

  /** `userId`'s 30-digit half over `keys` (cached: 5200 SHA-512 rounds each). */
  private half(userId: string, keys: string[]): Promise<string> {
    const id = `${userId}\n${keys.join(",")}`;
    let half = this.halves.get(id);
    if (!half) {
      half = userHalf({ userId, publicKeys: keys });
      half.catch(() => this.halves.delete(id));
      this.halves.set(id, half);
    }
    return half;
  }

  /** Re-renders the member list (the latest render wins). */
  private async render(): Promise<void> {
    const turn = ++this.renders;
    let rows: HTMLLIElement[];
    try {
      const [members, records] = await Promise.all([this.roster(), this.verified()]);
      const mine = memberKeys(this.devices, this.me);
      rows = await Promise.all(members.filter((m) => m.id !== this.me).map((m) => this.row(m, mine, records.get(m.id))));
    } catch (error) {
      console.warn("e2ee verify", error);
      rows = [el("li", "e2ee-verify-error", this.ui.loadFailed)];
    }
    if (turn === this.renders) this.list.replaceChildren(...rows);
  }

  private async row(member: Member, mine: string[], record: VerifiedRecord | undefined): Promise<HTMLLIElement> {
    const item = el("li", "e2ee-verify-member");
    item.dataset.userId = member.id;
    const keys = memberKeys(this.devices, member.id);
    item.append(el("span", "e2ee-verify-name", member.name));
    if (keys.length === 0 || mine.length === 0) {
      item.append(el("p", "e2ee-verify-none", this.ui.noDevice));
      return item;
    }
    const trust = trustOf(keys, record);
    item.dataset.trust = trust;
    const badge = el("span", `e2ee-trust e2ee-trust-${trust}`,
      trust === "verified" ? this.ui.verified : trust === "changed" ? this.ui.changed : this.ui.unverified);
    const theirs = await this.half(member.id, keys);
    const groups = digitGroups(combineHalves(await this.half(this.me, mine), theirs));
    const number = el("p", "e2ee-safety-number");
    number.setAttribute("aria-label", `${this.ui.numberWith.replace("{name}", member.name)}: ${groups.join(" ")}`);
    for (const group of groups) number.append(el("span", "e2ee-digits", group));
    const actions = el("div", "e2ee-verify-actions");
    if (trust !== "verified") {
      actions.append(this.action("e2ee-mark-verified", this.ui.markVerified, () => markVerified({
        owner: this.me, userId: member.id, fingerprint: theirs, publicKeys: keys, verifiedAt: new Date().toISOString(),
      })));
    }
    if (trust !== "unverified") {
      actions.append(this.action("e2ee-unverify", this.ui.unverify, () => unmarkVerified(this.me, member.id)));
    }
    item.append(badge, number, actions);
    return item;
  }

  /** A button that runs `change` on the store, then reloads the records and re-syncs the keys. */
  private action(className: string, label: string, change: () => Promise<void>): HTMLButtonElement {
    const button = el("button", className, label);
    button.type = "button";
    button.addEventListener("click", async () => {
      button.disabled = true;
      try {
        await change();
      } catch (error) {
        console.warn("e2ee verify", error);
      }
      this.records = null;
      await this.render();
      // A member verified again gets the current key on its new devices; a warning may go away.
      await this.keys.sync().catch((error) => console.warn("e2ee key sync", error));
    });
    return button;
  }
}
