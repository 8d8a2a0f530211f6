import { AuthForm } from "@/components/AuthForm";

export const metadata = { title: "Create an account · Knowledge" };

export default function SignUpPage() {
  return (
    <section className="card">
      <h1>Create an account</h1>
      <AuthForm mode="sign-up" />
    </section>
  );
}
