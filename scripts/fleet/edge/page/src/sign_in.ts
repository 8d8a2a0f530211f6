// Logging in, and registering the account first when the email is not known yet.
import { Code, ConnectError } from "@connectrpc/connect";
import type { User } from "@knowledge/protos/knowledge/auth/v1/user_pb";
import type { TokenPair } from "@knowledge/protos/knowledge/auth/v1/session_pb";
import type { Credentials, Platform } from "./platform.js";

export interface SignInForm {
  email: string;
  password: string;
  displayName: string;
}

/** Log in; when the account does not exist yet, register it. Returns the signed-in user. */
export async function logInOrRegister(
  platform: Platform,
  credentials: Credentials,
  form: SignInForm,
): Promise<User> {
  const userAgent = navigator.userAgent;
  try {
    const answer = await platform.auth.login({ email: form.email, password: form.password, userAgent });
    return remember(credentials, answer.user, answer.tokens);
  } catch (error) {
    if (ConnectError.from(error).code !== Code.Unauthenticated) {
      throw error;
    }
  }
  try {
    const answer = await platform.auth.register({
      email: form.email,
      password: form.password,
      displayName: form.displayName || form.email.split("@")[0],
      userAgent,
    });
    return remember(credentials, answer.user, answer.tokens);
  } catch (error) {
    if (ConnectError.from(error).code === Code.AlreadyExists) {
      throw new Error("wrong password for this email");
    }
    throw error;
  }
}

function remember(credentials: Credentials, user?: User, tokens?: TokenPair): User {
  if (!user || !tokens) {
    throw new Error("the auth service answered without a user or tokens");
  }
  credentials.accessToken = tokens.accessToken;
  credentials.refreshToken = tokens.refreshToken;
  return user;
}
