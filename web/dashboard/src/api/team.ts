// Team accounts (docs/api.md "Team accounts"): members, roles and invite links.

import { api } from "./client";

export type TeamRole = "owner" | "admin" | "operator";

export interface TeamMember {
  user_id: string;
  email: string;
  username: string;
  role: TeamRole;
  joined_at: string;
}

export interface TeamInvite {
  invite_id: string;
  role: "admin" | "operator";
  created_by?: string;
  created_at?: string;
  expires_at: string;
}

export interface Team {
  members: TeamMember[];
  invites: TeamInvite[];
  seats: { used: number; limit: number | null };
}

export const getTeam = () => api<Team>("GET", "/team/members");
/** POST /team/invites: the token comes back once. */
export const createInvite = (role: "admin" | "operator") =>
  api<TeamInvite & { token: string }>("POST", "/team/invites", { role });
export const revokeInvite = (id: string) => api<void>("DELETE", `/team/invites/${encodeURIComponent(id)}`);
export const removeMember = (userId: string) => api<void>("DELETE", `/team/members/${encodeURIComponent(userId)}`);

/** The sign-up link that carries an invite token (the sign-up page reads ?invite=). */
export const inviteLink = (token: string) => `${window.location.origin}/app/signup?invite=${encodeURIComponent(token)}`;
