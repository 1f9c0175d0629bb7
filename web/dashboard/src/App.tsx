// The dashboard's shell: header (brand, navigation, language, account) and the route switch.
// A nav item may be marked "coming" (shown, not a link) until its screen exists.

import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { signOut } from "./api/endpoints";
import { useAuth } from "./auth";
import { LanguageSwitcher } from "./components/LanguageSwitcher";
import { ErrorMessage } from "./components/ErrorMessage";
import { BotEditorPage } from "./pages/BotEditorPage";
import { BotsPage } from "./pages/BotsPage";
import { ChannelsOverviewPage } from "./pages/ChannelsOverviewPage";
import { ChannelsPage } from "./pages/ChannelsPage";
import { KnowledgePage } from "./pages/KnowledgePage";
import { UnansweredPage } from "./pages/UnansweredPage";
import { FeedbackPage } from "./pages/FeedbackPage";
import { ModelKeysPage } from "./pages/ModelKeysPage";
import { PlanPage } from "./pages/PlanPage";
import { InboxPage } from "./pages/InboxPage";
import { TryItPage } from "./pages/TryItPage";
import { InstallPage } from "./pages/InstallPage";
import { SignInPage, SignUpPage } from "./pages/AuthPages";
import { TeamPage } from "./pages/TeamPage";
import { CannedPage } from "./pages/CannedPage";
import { WebhooksPage } from "./pages/WebhooksPage";
import { Link, match, navigate, useRoute } from "./router";
import { useNavFits } from "./useNavFits";

const PUBLIC_ROUTES = ["/signin", "/signup"];

interface NavItem { to: string; key: string; coming?: boolean }
const NAV: NavItem[] = [
  { to: "/bots", key: "nav.bots" },
  { to: "/keys", key: "nav.keys" },
  { to: "/plan", key: "nav.plan" },
  { to: "/inbox", key: "nav.inbox" },
  { to: "/channels", key: "nav.channels" },
  { to: "/team", key: "team.nav" },
  { to: "/saved-replies", key: "canned.nav" },
  { to: "/webhooks", key: "webhooks.nav" },
];

export function App() {
  const { t } = useTranslation();
  const auth = useAuth();
  const route = useRoute();
  const isPublic = PUBLIC_ROUTES.includes(route);

  useEffect(() => {
    if (auth.status === "signedOut" && !isPublic) navigate("/signin", true);
    if (auth.status === "signedIn" && (isPublic || route === "/")) navigate("/bots", true);
  }, [auth.status, isPublic, route]);

  // The links stand in the header row when they fit there (measured: languages and the number of
  // items differ); otherwise — always on phones, <= 640 px — a "Menu" disclosure button replaces
  // them (WAI-ARIA APG disclosure pattern): a link, Escape or a route change closes it.
  const [menuOpen, setMenuOpen] = useState(false);
  const menuButton = useRef<HTMLButtonElement>(null);
  const headerRow = useRef<HTMLDivElement>(null);
  const navMeasure = useRef<HTMLDivElement>(null);
  const navFits = useNavFits(headerRow, navMeasure, ":scope > .brand, :scope > .top-right", auth.status === "signedIn");
  useEffect(() => { setMenuOpen(false); }, [route, navFits]);
  useEffect(() => {
    if (!menuOpen) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== "Escape") return;
      setMenuOpen(false);
      menuButton.current?.focus();
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [menuOpen]);
  const currentNav = NAV.find((item) => route === item.to || route.startsWith(`${item.to}/`));

  useEffect(() => {
    document.title = `${t("app.title")} · BotFactory`;
  }, [t]);

  let page;
  let params: Record<string, string> | null;
  if (auth.status === "loading") page = <p className="muted">{t("common.loading")}</p>;
  else if (auth.status === "failed") {
    page = (
      <section className="card">
        <ErrorMessage error={auth.error} />
        <button className="button" onClick={auth.reload}>{t("common.retry")}</button>
      </section>
    );
  } else if (route === "/signin") page = <SignInPage />;
  else if (route === "/signup") page = <SignUpPage />;
  else if (auth.status !== "signedIn") page = null;
  else if (route === "/bots") page = <BotsPage />;
  else if (route === "/bots/new") page = <BotEditorPage />;
  else if ((params = match("/bots/:id", route))) page = <BotEditorPage botId={params.id} />;
  else if ((params = match("/bots/:id/knowledge", route))) page = <KnowledgePage botId={params.id} />;
  else if ((params = match("/bots/:id/unanswered", route))) page = <UnansweredPage botId={params.id} />;
  else if ((params = match("/bots/:id/feedback", route))) page = <FeedbackPage botId={params.id} />;
  else if ((params = match("/bots/:id/try", route))) page = <TryItPage botId={params.id} />;
  else if ((params = match("/bots/:id/install", route))) page = <InstallPage botId={params.id} />;
  else if ((params = match("/bots/:id/channels", route))) page = <ChannelsPage botId={params.id} />;
  else if (route === "/channels") page = <ChannelsOverviewPage />;
  else if (route === "/keys") page = <ModelKeysPage />;
  else if (route === "/plan") page = <PlanPage />;
  else if (route === "/inbox") page = <InboxPage />;
  else if (route === "/team") page = <TeamPage />;
  else if (route === "/saved-replies") page = <CannedPage />;
  else if (route === "/webhooks") page = <WebhooksPage />;
  else if ((params = match("/inbox/:id", route))) page = <InboxPage conversationId={params.id} />;
  else page = <section className="card"><h1>{t("common.notFound")}</h1><Link to="/bots">{t("nav.bots")}</Link></section>;

  return (
    <>
      <a className="skip" href="#main">{t("nav.skip")}</a>
      <header className={navFits ? "top" : "top compact"}>
        <div className="top-inner" ref={headerRow}>
          <Link to={auth.status === "signedIn" ? "/bots" : "/signin"} className="brand">BotFactory</Link>
          {auth.status === "signedIn" && (
            <button type="button" ref={menuButton} className="nav-toggle" data-testid="nav-toggle"
              aria-expanded={menuOpen} aria-controls="main-nav" onClick={() => setMenuOpen(!menuOpen)}>
              {t("nav.menu")}
              {currentNav && <span className="nav-toggle-current"> · {t(currentNav.key)}</span>}
            </button>
          )}
          {auth.status === "signedIn" && (
            <nav aria-label={t("nav.main")} id="main-nav" className={menuOpen ? "nav open" : "nav"}
              onClick={(e) => { if ((e.target as HTMLElement).closest("a")) setMenuOpen(false); }}>
              {NAV.map((item) => item.coming ? (
                <span key={item.to} className="nav-item coming" aria-disabled="true">
                  {t(item.key)} <small className="badge">{t("common.coming")}</small>
                </span>
              ) : (
                <Link key={item.to} to={item.to} className="nav-item"
                  current={route === item.to || route.startsWith(`${item.to}/`)}>
                  {t(item.key)}
                </Link>
              ))}
            </nav>
          )}
          {auth.status === "signedIn" && (
            <div className="nav-measure" aria-hidden="true">
              <div ref={navMeasure}>
                {NAV.map((item) => (
                  <span key={item.to} className="nav-item">
                    {t(item.key)}{item.coming && <> <small className="badge">{t("common.coming")}</small></>}
                  </span>
                ))}
              </div>
            </div>
          )}
          <div className="top-right">
            <LanguageSwitcher />
            {auth.status === "signedIn" && (
              <>
                <span className="user" title={auth.user?.email}>{auth.user?.username}</span>
                <button type="button" className="button secondary small" data-testid="sign-out"
                  onClick={() => { void signOut(); }}>
                  {t("nav.signOut")}
                </button>
              </>
            )}
          </div>
        </div>
      </header>
      <main id="main" className="main" tabIndex={-1}>{page}</main>
    </>
  );
}
