// The local page: log in, then work with spaces, documents (gRPC-web) and canvases (y-websocket),
// search every passage the user may read, ask questions answered from those passages with their
// citations (the chat panel), hear of what concerns them (the bell), and see what happens in a
// space (its timeline and daily chart; what they view and search reported back).
import { ActivityView } from "./activity_view.js";
import { ChatView } from "./chat_view.js";
import { element, inputValue, showError } from "./dom.js";
import { NotificationsView } from "./notifications_view.js";
import { Credentials, connectPlatform } from "./platform.js";
import { SearchView } from "./search_view.js";
import { logInOrRegister } from "./sign_in.js";
import { Workspace } from "./workspace.js";

const credentials = new Credentials();
const platform = connectPlatform(credentials);

element("sign-in-form").addEventListener("submit", (event) => {
  event.preventDefault();
  void signIn().catch((error: unknown) => {
    element("sign-in-status").textContent = "";
    showError(error);
  });
});

async function signIn(): Promise<void> {
  element("sign-in-status").textContent = "signing in…";
  element("error").textContent = "";
  const user = await logInOrRegister(platform, credentials, {
    email: inputValue("email"),
    password: element<HTMLInputElement>("password").value,
    displayName: inputValue("display-name"),
  });
  element("who").textContent = `${user.displayName} · ${user.email}`;
  element("sign-in").hidden = true;
  new SearchView(platform);
  new ChatView(platform, user.name);
  new ActivityView(platform);
  void new NotificationsView(platform, user.name).follow();
  await new Workspace(platform, credentials, user.name).show();
}
