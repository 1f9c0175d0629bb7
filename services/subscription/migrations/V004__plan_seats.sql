-- Team accounts: how many users (owner, admins, operators) a tenant's plan allows. auth counts
-- the members when someone registers with a team invite (the gateway passes this allowance).
ALTER TABLE plans ADD COLUMN max_seats integer NOT NULL DEFAULT 2 CHECK (max_seats >= 1);
UPDATE plans SET max_seats = CASE code
  WHEN 'trial'    THEN  2
  WHEN 'starter'  THEN  5
  WHEN 'pro'      THEN 10
  WHEN 'business' THEN 50
  ELSE 2 END;
