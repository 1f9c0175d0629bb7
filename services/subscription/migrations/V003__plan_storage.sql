-- Per-tenant attachment storage allowance (tidy, issue 11 "Files"): the bytes of chat
-- attachments a tenant may keep at once (channel-connector sums them in chat.tenant_storage).
ALTER TABLE plans ADD COLUMN max_storage_bytes bigint NOT NULL DEFAULT 0
  CHECK (max_storage_bytes >= 0);
UPDATE plans SET max_storage_bytes = CASE code
  WHEN 'trial'    THEN    104857600  -- 100 MiB
  WHEN 'starter'  THEN   1073741824  --   1 GiB
  WHEN 'pro'      THEN  10737418240  --  10 GiB
  WHEN 'business' THEN 107374182400  -- 100 GiB
  ELSE 104857600 END;
