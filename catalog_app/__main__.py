from catalog_app.cli import main

raise SystemExit(main())
