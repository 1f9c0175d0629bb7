-- Whether a bot reply answered from the knowledge base (ai.v1 FinalReply.answered): true, or
-- false for an honest "I don't know". NULL for every other message (visitor and operator
-- messages, greetings, notices, apologies). GetAnalytics counts the two.
ALTER TABLE chat.messages ADD COLUMN answered boolean;
