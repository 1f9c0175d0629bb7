// look: a bot's suggested questions as buttons ("chips") under the greeting, shared by the widget
// (web/widget/view.ts) and the chat page (chat.ts). Shown while the visitor has not written in
// the conversation; clicking one sends it as the visitor's message (through `pick`). Built with
// textContent only. The group is a labelled `role="group"` of ordinary buttons: Tab reaches
// them, Enter / Space sends.

export class SuggestedQuestions {
  /** The chips' container: put it where the chips should appear. */
  readonly element: HTMLDivElement = document.createElement("div");
  private questions: string[] = [];
  private written = false;
  private enabled = true;

  constructor(private readonly pick: (question: string) => void) {
    this.element.className = "chips";
    this.element.setAttribute("role", "group");
    this.element.hidden = true;
  }

  /** The bot's questions (at most 4, docs/api.md "Bots") and the group's accessible name. */
  set(questions: readonly string[], label: string): void {
    this.element.setAttribute("aria-label", label);
    if (questions.join("\n") === this.questions.join("\n")) return this.update();
    this.questions = [...questions];
    this.element.replaceChildren(...this.questions.map((question) => {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "chip";
      button.textContent = question;
      button.disabled = !this.enabled;
      button.addEventListener("click", () => this.pick(question));
      return button;
    }));
    this.update();
  }

  /** The visitor wrote (or a message of theirs is on screen): the chips go. */
  markWritten(): void {
    this.written = true;
    this.update();
  }

  /** A new conversation: the chips come back. */
  reset(): void {
    this.written = false;
    this.update();
  }

  /** Chips can be clicked only while the message would go out (the socket is online). */
  setEnabled(enabled: boolean): void {
    this.enabled = enabled;
    for (const button of this.element.querySelectorAll("button")) button.disabled = !enabled;
  }

  private update(): void {
    this.element.hidden = this.written || this.questions.length === 0;
  }
}
