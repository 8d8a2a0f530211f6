import Link from "next/link";
import { signOut } from "@/actions/auth";
import { currentMe } from "@/api/session";
import { Bell } from "./Bell";

export async function Header() {
  const me = await currentMe();
  return (
    <header className="top">
      <Link className="brand" href="/">
        Knowledge
      </Link>
      {me ? (
        <>
          <nav aria-label="Main" style={{ display: "flex", gap: "1rem" }}>
            <Link href="/spaces">Spaces</Link>
            <Link href="/search">Search</Link>
            <Link href="/ask">Ask</Link>
            <Link href="/models">Models</Link>
          </nav>
          <Bell user={me.name} />
          <span className="who" id="signed-in-as">
            {me.displayName || me.email}
          </span>
          <form action={signOut}>
            <button className="quiet" type="submit" id="sign-out-button">
              Sign out
            </button>
          </form>
        </>
      ) : (
        <span className="who">
          <Link href="/sign-in">Sign in</Link> · <Link href="/sign-up">Create an account</Link>
        </span>
      )}
    </header>
  );
}
