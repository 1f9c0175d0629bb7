// calls: the chat page's call button and incoming-call banner (docs/protocol.md "Calls"): a
// WebRTC audio call between the visitor and an operator of the conversation. Media goes peer to
// peer (or through the TURN server of WEBRTC_ICE_SERVERS); only the signalling passes the
// gateway, as `call.*` frames (WidgetClient.callFrame / ClientEvents.call).

import type { CallFrame, Sender } from "./protocol.js";
import type { CallStrings } from "./edits-calls-i18n.js";

/** What the panel needs from the page. */
export interface CallPort {
  /** Sends a `call.*` frame of the conversation; false when offline. */
  send(frame: Record<string, unknown>): boolean;
  strings(): CallStrings;
}

type Phase = "idle" | "outgoing" | "incoming" | "active";

/** One call at a time; `host` receives the button, the banner and the remote audio. */
export class CallPanel {
  private phase: Phase = "idle";
  private callId = "";
  private pc: RTCPeerConnection | null = null;
  private media: MediaStream | null = null;
  private pendingIce: RTCIceCandidateInit[] = [];
  private offer: string | null = null;
  private iceServers: RTCIceServer[] | null = null;
  private configWaiters: ((servers: RTCIceServer[]) => void)[] = [];
  private operator: Sender | null = null;
  private readonly button = document.createElement("button");
  private readonly banner = document.createElement("div");
  private readonly audio = document.createElement("audio");

  constructor(private readonly host: HTMLElement, private readonly port: CallPort) {
    this.button.type = "button";
    this.button.className = "call-button";
    this.button.addEventListener("click", () => void this.onButton());
    this.banner.className = "call-banner";
    this.banner.setAttribute("role", "status");
    this.banner.hidden = true;
    this.audio.autoplay = true;
    host.append(this.button, this.banner, this.audio);
    this.render();
  }

  /** The party the button calls (the last operator who wrote; in a room the chosen member), or null. */
  setOperator(operator: Sender | null): void {
    this.operator = operator;
    this.render();
  }

  /** Re-renders texts (language change). */
  render(): void {
    const s = this.port.strings();
    const inCall = this.phase === "outgoing" || this.phase === "active";
    this.button.textContent = inCall ? s.hangUp : s.call;
    this.button.classList.toggle("hang-up", inCall);
    this.button.disabled = this.phase === "incoming" || (!inCall && !this.operator);
    this.button.title = !inCall && !this.operator ? s.noOperator : "";
  }

  /** A `call.*` frame for this visitor. */
  handle(frame: CallFrame): void {
    const s = this.port.strings();
    switch (frame.type) {
      case "call.config":
        this.iceServers = frame.ice_servers ?? [];
        for (const w of this.configWaiters.splice(0)) w(this.iceServers);
        return;
      case "call.ringing":
        if (this.phase === "outgoing") this.callId = frame.call_id ?? "";
        this.flushIce();
        return this.show(s.calling);
      case "call.invite":
        if (this.phase !== "idle") {
          this.port.send({ type: "call.reject", call_id: frame.call_id, reason: "busy" });
          return;
        }
        this.phase = "incoming";
        this.callId = frame.call_id ?? "";
        this.offer = frame.sdp ?? "";
        this.ringBanner(frame.from?.name ?? "");
        return this.render();
      case "call.answer":
        if (frame.call_id !== this.callId || !this.pc) return;
        void this.pc.setRemoteDescription({ type: "answer", sdp: frame.sdp ?? "" });
        this.phase = "active";
        this.show(s.inCall);
        return this.render();
      case "call.ice":
        if (frame.call_id !== this.callId || !frame.candidate) return;
        if (this.pc?.remoteDescription) void this.pc.addIceCandidate(frame.candidate);
        else this.pendingIce.push(frame.candidate);
        return;
      case "call.busy": return this.end(s.busy);
      case "call.timeout": return this.end(s.noAnswer);
      case "call.missed": return this.end(s.missed);
      case "call.reject": return frame.call_id === this.callId ? this.end(s.declined) : undefined;
      case "call.hangup": return frame.call_id === this.callId ? this.end(s.ended) : undefined;
      default:
        return;
    }
  }

  /** An `error` frame about a call (busy, call_not_found …) ends the attempt. */
  refused(code: string): void {
    if ((this.phase !== "idle" && code.startsWith("call")) || code === "busy") this.end(this.port.strings().ended);
  }

  /** The connection state of the peer connection ("" when none), for tests and the UI. */
  state(): string {
    return this.pc?.connectionState ?? "";
  }

  private async onButton(): Promise<void> {
    if (this.phase === "outgoing" || this.phase === "active") {
      this.port.send({ type: "call.hangup", call_id: this.callId });
      return this.end(this.port.strings().ended);
    }
    if (this.phase !== "idle" || !this.operator) return;
    this.phase = "outgoing";
    this.callId = "";
    this.render();
    this.show(this.port.strings().calling);
    try {
      const pc = await this.connection();
      const offer = await pc.createOffer();
      await pc.setLocalDescription(offer);
      this.port.send({ type: "call.invite", sdp: offer.sdp, to: { kind: this.operator.kind === "visitor" ? "visitor" : "operator", id: this.operator.id } });
    } catch {
      this.end(this.port.strings().noMicrophone);
    }
  }

  private async accept(): Promise<void> {
    const s = this.port.strings();
    try {
      const pc = await this.connection();
      await pc.setRemoteDescription({ type: "offer", sdp: this.offer ?? "" });
      const answer = await pc.createAnswer();
      await pc.setLocalDescription(answer);
      this.port.send({ type: "call.answer", call_id: this.callId, sdp: answer.sdp });
      this.phase = "active";
      this.flushIce();
      this.show(s.inCall);
      this.render();
    } catch {
      this.port.send({ type: "call.reject", call_id: this.callId, reason: "no_microphone" });
      this.end(s.noMicrophone);
    }
  }

  /** A peer connection with the microphone, the configured ICE servers and trickle ICE. */
  private async connection(): Promise<RTCPeerConnection> {
    const servers = await this.config();
    this.media = await navigator.mediaDevices.getUserMedia({ audio: true });
    const pc = new RTCPeerConnection({ iceServers: servers });
    for (const track of this.media.getTracks()) pc.addTrack(track, this.media);
    pc.onicecandidate = (event) => {
      if (!event.candidate) return;
      const candidate = event.candidate.toJSON();
      if (this.callId) this.port.send({ type: "call.ice", call_id: this.callId, candidate });
      else this.outgoingIce.push(candidate);
    };
    pc.ontrack = (event) => {
      this.audio.srcObject = event.streams[0] ?? null;
    };
    pc.onconnectionstatechange = () => {
      this.host.dataset.callState = pc.connectionState;
    };
    this.pc = pc;
    return pc;
  }

  private outgoingIce: RTCIceCandidateInit[] = [];

  /** Sends the candidates gathered before the call id was known, adds those that came early. */
  private flushIce(): void {
    if (this.callId) {
      for (const candidate of this.outgoingIce.splice(0)) {
        this.port.send({ type: "call.ice", call_id: this.callId, candidate });
      }
    }
    if (this.pc?.remoteDescription) {
      for (const c of this.pendingIce.splice(0)) void this.pc.addIceCandidate(c);
    }
  }

  private config(): Promise<RTCIceServer[]> {
    if (this.iceServers) return Promise.resolve(this.iceServers);
    return new Promise((resolve) => {
      this.configWaiters.push(resolve);
      this.port.send({ type: "call.config" });
    });
  }

  private ringBanner(name: string): void {
    const s = this.port.strings();
    this.banner.replaceChildren();
    const text = document.createElement("span");
    text.textContent = `${name} ${s.incoming}`;
    const accept = document.createElement("button");
    accept.type = "button";
    accept.className = "call-accept";
    accept.textContent = s.accept;
    accept.addEventListener("click", () => void this.accept());
    const decline = document.createElement("button");
    decline.type = "button";
    decline.className = "call-decline";
    decline.textContent = s.decline;
    decline.addEventListener("click", () => {
      this.port.send({ type: "call.reject", call_id: this.callId });
      this.end(s.declined);
    });
    this.banner.append(text, accept, decline);
    this.banner.hidden = false;
  }

  private show(text: string): void {
    this.banner.replaceChildren(document.createTextNode(text));
    this.banner.hidden = false;
  }

  private end(text: string): void {
    this.pc?.close();
    this.pc = null;
    for (const track of this.media?.getTracks() ?? []) track.stop();
    this.media = null;
    this.audio.srcObject = null;
    this.phase = "idle";
    this.callId = "";
    this.offer = null;
    this.pendingIce = [];
    this.outgoingIce = [];
    delete this.host.dataset.callState;
    this.show(text);
    this.render();
  }
}
