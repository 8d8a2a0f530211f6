import { AuthForm } from "@/components/AuthForm";

export const metadata = { title: "Sign in · Knowledge" };

export default function SignInPage() {
  return (
    <section className="card">
      <h1>Sign in</h1>
      <AuthForm mode="sign-in" />
    </section>
  );
}
