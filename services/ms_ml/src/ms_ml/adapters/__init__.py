"""What ms_ml reaches outside its database: the artifact stores."""
