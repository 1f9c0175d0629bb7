// Loads /widget.js for the bot in ?bot=<public id> (and ?lang=, ?open=1), as the embed snippet
// would (docs/widget.md). Used by the dashboard's Install screen preview.
(function () {
  var params = new URLSearchParams(location.search);
  var bot = params.get("bot");
  if (!bot) return;
  var script = document.createElement("script");
  script.src = "/widget.js";
  script.async = true;
  script.dataset.bot = bot;
  if (params.get("lang")) script.dataset.lang = params.get("lang");
  if (params.get("open") === "1") script.dataset.open = "true";
  document.body.appendChild(script);
})();
