from discuss import create_app

app = create_app()
