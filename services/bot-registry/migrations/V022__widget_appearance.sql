-- look: each bot's chat widget appearance (docs/widget.md "Appearance"): accent colour, panel
-- title, launcher side and up to 4 suggested questions. bot-registry checks the values
-- (widget_appearance.cpp); the CHECKs bound what a row can hold whatever writes it.
ALTER TABLE registry.bots
  ADD COLUMN widget_color text NOT NULL DEFAULT '#3b3fd8'
    CHECK (widget_color ~ '^#[0-9a-f]{6}$'),
  ADD COLUMN widget_title text NOT NULL DEFAULT ''
    CHECK (char_length(widget_title) <= 60),
  ADD COLUMN widget_position text NOT NULL DEFAULT 'right'
    CHECK (widget_position IN ('right', 'left')),
  ADD COLUMN widget_questions text[] NOT NULL DEFAULT '{}'
    CHECK (cardinality(widget_questions) <= 4);
